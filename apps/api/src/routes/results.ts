import { ApiError } from '@frontline/contracts';
import {
  pointSummaries,
  type SurvivalEndpoint,
  type SweepProgress,
  type SweepScope,
  survivalCounts,
  survivalEndpoints,
  sweepPointAxes,
} from '@frontline/db';
import { defaultParams } from '@frontline/sim';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { chooseComparison, groupPoints } from '../survival-groups.js';
import { logRankOf, summariseGroup } from '../survival-summary.js';
import { loadSweep, sweepIdParams } from './sweeps.js';

/** `a,b` or repeated `x=a&x=b` → ['a', 'b']. */
const listParam = z.union([z.string(), z.array(z.string())]).transform((value) =>
  (Array.isArray(value) ? value : [value])
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean),
);

const timesParam = listParam.pipe(
  z
    .array(
      z
        .string()
        .regex(/^\d+(\.\d+)?$/, { error: 'must be a list of times in days ≥ 0, e.g. 365,730' })
        .transform(Number),
    )
    .min(1, { error: 'must name at least one time' })
    .max(50),
);

const survivalQuery = z.object({
  endpoint: z.enum(survivalEndpoints, { error: 'must be one of os, pfs, mfs' }).default('os'),
  groupBy: listParam.optional(),
  at: timesParam.optional(),
  maxPoints: z.coerce.number().int().min(2).max(1_000_000).optional(),
});

const defaultTimes = [365, 730];

export function scopeOf(sweep: SweepProgress): SweepScope {
  return { sweepId: sweep.id, cohortSeed: sweep.cohortSeed, patients: sweep.patients };
}

/** Whether outcomes are still missing (running, or ended without all of them). */
export const isPartial = (sweep: SweepProgress) => sweep.progress.done < sweep.progress.total;

/** The follow-up horizon of a point: restricted means are taken to it. */
function horizonOf(sweep: SweepProgress, axisValues: Record<string, number>): number {
  const params = (sweep.spec as { params?: Record<string, number> }).params ?? {};
  return axisValues.horizonDays ?? params.horizonDays ?? defaultParams.horizonDays;
}

function checkAxes(sweep: SweepProgress, groupBy: readonly string[]) {
  const unknown = groupBy.filter((axis) => !sweep.axes.includes(axis));
  if (unknown.length > 0) {
    const known = sweep.axes.length > 0 ? sweep.axes.join(', ') : 'none';
    throw new ApiError(
      'validation_failed',
      `unknown axis ${unknown.map((a) => `'${a}'`).join(', ')} in groupBy; this sweep's axes are: ${known}`,
      unknown.map((axis) => ({
        path: 'querystring.groupBy',
        rule: `'${axis}' is not an axis of this sweep`,
      })),
    );
  }
}

export function resultRoutes() {
  return async (app: FastifyInstance) => {
    app.get(
      '/v1/sweeps/:id/survival',
      {
        config: { access: 'read' },
        schema: {
          summary: 'Kaplan–Meier curves, medians, S(t), RMST and log-rank per group of points',
          tags: ['results'],
          params: sweepIdParams,
          querystring: survivalQuery,
        },
      },
      async (request) => {
        const { id } = request.params as { id: string };
        const query = request.query as z.infer<typeof survivalQuery>;
        const sweep = await loadSweep(request.tenantDb, id);
        const groupBy = query.groupBy && query.groupBy.length > 0 ? [...new Set(query.groupBy)] : null;
        if (groupBy) checkAxes(sweep, groupBy);
        const at = query.at ?? defaultTimes;
        const endpoint: SurvivalEndpoint = query.endpoint;

        const { groups, pointGroups } = groupPoints(await sweepPointAxes(request.tenantDb, id), groupBy);
        const counts = await survivalCounts(
          request.tenantDb,
          scopeOf(sweep),
          endpoint,
          pointGroups,
          groups.length,
        );
        const comparison = chooseComparison(groups, sweep.referenceArm);
        const overall = comparison.method === 'allGroups' ? logRankOf(counts) : null;

        return {
          sweepId: sweep.id,
          status: sweep.status,
          partial: isPartial(sweep),
          endpoint,
          groupBy: groupBy ?? [],
          comparison:
            comparison.method === 'referenceArm'
              ? { method: comparison.method, referenceArm: comparison.referenceArm }
              : { method: comparison.method, reason: comparison.reason, logRank: overall },
          groups: groups.map((group, g) => {
            const tau = group.points.reduce(
              (min, p) => Math.min(min, horizonOf(sweep, p.axisValues)),
              Infinity,
            );
            const { summary } = summariseGroup(counts[g]!, { at, tau, maxPoints: query.maxPoints });
            let logRank = overall;
            if (comparison.method === 'referenceArm') {
              const reference = comparison.references[g];
              logRank =
                reference === null || reference === undefined
                  ? null
                  : logRankOf([counts[reference]!, counts[g]!]);
            }
            return {
              key: group.key,
              ...(group.pointIndex === undefined ? {} : { pointIndex: group.pointIndex }),
              ...summary,
              logRank,
            };
          }),
        };
      },
    );

    app.get(
      '/v1/sweeps/:id/points',
      {
        config: { access: 'read' },
        schema: {
          summary: 'One row per parameter point: medians, S(365), S(730), RMST, cure, response counts',
          tags: ['results'],
          params: sweepIdParams,
        },
      },
      async (request) => {
        const { id } = request.params as { id: string };
        const sweep = await loadSweep(request.tenantDb, id);
        const scope = scopeOf(sweep);
        const points = await sweepPointAxes(request.tenantDb, id);
        const pointGroups = points.map((p, group) => ({ pointId: p.pointId, group }));
        const [summaries, os, pfs] = await Promise.all([
          pointSummaries(request.tenantDb, scope),
          survivalCounts(request.tenantDb, scope, 'os', pointGroups, points.length),
          survivalCounts(request.tenantDb, scope, 'pfs', pointGroups, points.length),
        ]);
        const summaryByIndex = new Map(summaries.map((summary) => [summary.pointIndex, summary]));
        const endpointView = (summary: ReturnType<typeof summariseGroup>['summary']) => ({
          median: summary.median,
          at365: summary.survivalAt['365']?.survival ?? null,
          at730: summary.survivalAt['730']?.survival ?? null,
          rmst: summary.rmst?.value ?? null,
        });
        return {
          sweepId: sweep.id,
          status: sweep.status,
          partial: isPartial(sweep),
          axes: sweep.axes,
          points: points.map((point, i) => {
            const options = { at: defaultTimes, tau: horizonOf(sweep, point.axisValues) };
            const stats = summaryByIndex.get(point.pointIndex)!;
            return {
              pointIndex: point.pointIndex,
              axisValues: point.axisValues,
              patients: stats.patients,
              os: endpointView(summariseGroup(os[i]!, options).summary),
              pfs: endpointView(summariseGroup(pfs[i]!, options).summary),
              curedFraction: stats.curedFraction,
              medianLeaderFractionAtDiagnosis: stats.medianLeaderFractionAtDiagnosis,
              bestResponse: stats.bestResponse,
            };
          }),
        };
      },
    );
  };
}
