import {
  apiError,
  sensitivityRoutes as contracts,
  type SensitivityResponse,
  type SweepSpec,
  survivalMetrics,
} from '@frontline/contracts';
import { pointSummaries, survivalCountsByPoint, sweepPointAxes } from '@frontline/db';
import { emptyCountTable, NOISE_SHARE_WARNING_THRESHOLD } from '@frontline/stats';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { type PointMetricInput, SENSITIVITY_LEVEL } from '../sensitivity.js';
import { fromContract } from './contract.js';
import { heavyDb, horizonOf, isPartial, type ResultDeps, scopeOf } from './result-scope.js';
import { loadSweep } from './sweeps.js';

/** S(t) is read at two years unless the request names a time. */
const defaultSurvivalTime = 730;

/**
 * GET /v1/sweeps/{id}/sensitivity. Only a finished saltelli sweep: the estimators pair f(A), f(B)
 * and f(AB_i) row by row, so a missing point (still running, failed or cancelled) would leave rows
 * unpaired, and points with fewer patients would mix noise levels — refused (409) rather than
 * answered from part of the design.
 */
export function sensitivityRoutes(deps: ResultDeps) {
  const plugin: FastifyPluginAsyncZod = async (app) => {
    app.route({
      ...fromContract(contracts.sensitivity),
      handler: async (request, reply): Promise<SensitivityResponse> => {
        const { id } = request.params;
        const { endpoint, metric } = request.query;
        const survival = (survivalMetrics as readonly string[]).includes(metric);
        if (request.query.at !== undefined && metric !== 'survivalAt' && metric !== 'rmst')
          throw apiError('validation_failed', `at applies to survivalAt and rmst only, not to ${metric}`, [
            { path: 'querystring.at', rule: 'only with metric=survivalAt or metric=rmst' },
          ]);
        const at = metric === 'survivalAt' ? (request.query.at ?? defaultSurvivalTime) : request.query.at;

        const sweep = await loadSweep(request.tenantDb, id);
        // Stored specs passed parseSweepSpec at submission.
        const { design } = sweep.spec as SweepSpec;
        if (design.kind !== 'saltelli')
          throw apiError(
            'conflict',
            `sweep ${id} has a ${design.kind} design; Sobol indices need a saltelli design ` +
              '(its A, B and AB_i points), e.g. {"kind": "saltelli", "samples": 256, "seed": 1, "axes": {…}}',
            [{ path: 'design.kind', rule: 'must be saltelli for sensitivity indices' }],
          );
        if (isPartial(sweep))
          throw apiError(
            'conflict',
            `sweep ${id} is ${sweep.status} with ${sweep.progress.done} of ${sweep.progress.total} simulations ` +
              'done; sensitivity indices need every point of the saltelli design (f(A), f(B) and f(AB_i) pair ' +
              'by base row), so they are computed once all outcomes are in',
            [{ path: 'status', rule: 'every point of the design must have all its outcomes' }],
          );
        if (metric === 'objectiveResponse' && sweep.modelId !== 'lf-tid@2')
          throw apiError(
            'validation_failed',
            `objectiveResponse is an lf-tid@2 output; sweep ${id} runs ${sweep.modelId}`,
            [{ path: 'querystring.metric', rule: 'objectiveResponse needs an lf-tid@2 sweep' }],
          );

        await deps.gate.enter(request, reply);
        const db = heavyDb(deps, request);
        const scope = scopeOf(sweep);
        const points = await sweepPointAxes(db, id);
        let inputs: PointMetricInput[];
        if (survival) {
          const counts = await survivalCountsByPoint(
            db,
            scope,
            endpoint,
            points.map((p) => p.pointId),
          );
          inputs = points.map((p) => ({
            kind: 'survival',
            counts: counts.get(p.pointId) ?? emptyCountTable(),
            horizon: horizonOf(sweep, p.axisValues),
          }));
        } else {
          const summaries = await pointSummaries(db, scope);
          inputs = summaries.map((s) => ({
            kind: 'fraction',
            fraction: metric === 'curedFraction' ? s.curedFraction : (s.trial?.objectiveResponseRate ?? null),
            patients: s.patients,
          }));
        }
        const axes = Object.keys(design.axes);
        const result = await deps.stats.sensitivity({
          metric,
          at,
          samples: design.samples,
          axes,
          points: inputs,
          seed: design.seed,
        });
        if (!result.ok)
          throw apiError('conflict', result.message, [
            { path: result.field, rule: 'the metric must be defined and vary across the design' },
          ]);
        return {
          sweepId: sweep.id,
          status: sweep.status,
          endpoint,
          metric,
          at: at ?? null,
          samples: design.samples,
          patients: sweep.patients,
          axes: axes.map((axis, i) => ({ axis, first: result.first[i]!, total: result.total[i]! })),
          variance: result.variance,
          bootstrap: { replicates: result.replicates, seed: design.seed, level: SENSITIVITY_LEVEL },
          cohortNoise: { ...result.noise, threshold: NOISE_SHARE_WARNING_THRESHOLD },
          warnings: result.warnings,
        };
      },
    });
  };
  return plugin;
}
