import {
  ApiError,
  apiError,
  hazardRoutes as contracts,
  powerQueryLimits,
  type SurvivalEndpointName,
} from '@frontline/contracts';
import { type SweepProgress, survivalCounts, sweepPointAxes } from '@frontline/db';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type pg from 'pg';
import type { CapacityOptions } from '../capacity.js';
import type { CellCounts } from '../group-cells.js';
import { groupCells, groupPoints } from '../survival-groups.js';
import { fromContract } from './contract.js';
import { heavyDb, isPartial, type ResultDeps, scopeOf } from './result-scope.js';
import { checkAxes } from './survival.js';
import { loadSweep } from './sweeps.js';

/** The arms of a request: one per value of `groupBy`, the other axes pooled as strata. */
async function planArms(db: pg.Pool, sweep: SweepProgress, axis: string, capacity: CapacityOptions) {
  checkAxes(sweep, [axis]);
  const { groups } = groupPoints(await sweepPointAxes(db, sweep.id), [axis]);
  if (groups.length > capacity.maxLogRankGroups)
    throw apiError(
      'limit_exceeded',
      `groupBy=${axis} makes ${groups.length} arms; a model of every arm against the reference is limited to ` +
        `${capacity.maxLogRankGroups} arms (maxLogRankGroups): group by an axis with fewer values`,
      [{ path: 'querystring.groupBy', rule: `at most ${capacity.maxLogRankGroups} arms (maxLogRankGroups)` }],
    );
  return { groups, cells: groupCells(groups, [axis], sweep.axes) };
}

/** The group of `value` on the axis; `field` names the query parameter that gave it. */
function armIndex(
  groups: { key: Record<string, number> }[],
  axis: string,
  value: number | undefined,
  field: string,
  sweep: SweepProgress,
): number {
  const values = groups.map((g) => g.key[axis]!);
  if (value === undefined) {
    const fallback = sweep.referenceArm?.[axis];
    if (fallback === undefined)
      throw apiError(
        'limit_exceeded',
        `the sweep has no referenceArm on ${axis}: name the reference arm, e.g. reference=${values[0] ?? 0}`,
        [{ path: `querystring.${field}`, rule: `required: the sweep's referenceArm does not set ${axis}` }],
      );
    return armIndex(groups, axis, fallback, field, sweep);
  }
  const index = values.indexOf(value);
  if (index < 0)
    throw new ApiError('validation_failed', `${field}=${value} is not a value of ${axis} in this sweep`, [
      { path: `querystring.${field}`, rule: `must be one of ${values.join(', ')}` },
    ]);
  return index;
}

async function cellCounts(
  db: pg.Pool,
  sweep: SweepProgress,
  endpoint: SurvivalEndpointName,
  cells: ReturnType<typeof groupCells>,
): Promise<CellCounts> {
  return {
    counts: await survivalCounts(db, scopeOf(sweep), endpoint, cells.pointCells, cells.cells.length),
    group: cells.cells.map((c) => c.group),
    stratum: cells.cells.map((c) => c.stratum),
    cohortPatients: sweep.patients,
  };
}

/**
 * GET /v1/sweeps/{id}/hazard-ratios (each arm against the reference, stratified Cox) and
 * GET /v1/sweeps/{id}/power (virtual trials drawn from two arms' cohorts).
 */
export function hazardRoutes(deps: ResultDeps) {
  const plugin: FastifyPluginAsyncZod = async (app) => {
    app.route({
      ...fromContract(contracts.hazardRatios),
      handler: async (request, reply) => {
        const { query } = request;
        await deps.gate.enter(request, reply);
        const db = heavyDb(deps, request);
        const sweep = await loadSweep(request.tenantDb, request.params.id);
        const { groups, cells } = await planArms(db, sweep, query.groupBy, deps.capacity);
        const reference = armIndex(groups, query.groupBy, query.reference, 'reference', sweep);
        const stats = await deps.stats.hazardRatios({
          cells: await cellCounts(db, sweep, query.endpoint, cells),
          groups: groups.length,
          reference,
          stratified: cells.stratifiedBy.length > 0,
        });
        return {
          sweepId: sweep.id,
          status: sweep.status,
          partial: isPartial(sweep),
          endpoint: query.endpoint,
          groupBy: query.groupBy,
          referenceArm: groups[reference]!.key,
          stratifiedBy: cells.stratifiedBy,
          strata: cells.stratifiedBy.length > 0 ? stats.strata : 1,
          ties: 'efron' as const,
          groups: stats.rows.map((row, g) => ({
            key: groups[g]!.key,
            reference: g === reference,
            ...row,
            points: groups[g]!.points.length,
          })),
          likelihoodRatio: stats.likelihoodRatio,
          warnings: stats.warnings,
        };
      },
    });

    app.route({
      ...fromContract(contracts.power),
      handler: async (request, reply) => {
        const { query } = request;
        // Bounded before any counting: the patients all virtual trials draw.
        const draws = query.replicates * query.patientsPerArm.reduce((sum, m) => sum + 2 * m, 0);
        if (draws > powerQueryLimits.maxPatientDraws)
          throw apiError(
            'limit_exceeded',
            `replicates × Σ 2 × patientsPerArm draws ${draws} patients; at most ${powerQueryLimits.maxPatientDraws} ` +
              '(maxPatientDraws): ask for fewer replicates or smaller trials',
            [
              {
                path: 'querystring.replicates',
                rule: `replicates × Σ 2 × patientsPerArm ≤ ${powerQueryLimits.maxPatientDraws} (maxPatientDraws)`,
              },
            ],
          );
        await deps.gate.enter(request, reply);
        const db = heavyDb(deps, request);
        const sweep = await loadSweep(request.tenantDb, request.params.id);
        const { groups, cells } = await planArms(db, sweep, query.groupBy, deps.capacity);
        const reference = armIndex(groups, query.groupBy, query.reference, 'reference', sweep);
        const arm = armIndex(groups, query.groupBy, query.arm, 'arm', sweep);
        if (arm === reference)
          throw new ApiError('validation_failed', 'arm and reference name the same arm', [
            { path: 'querystring.arm', rule: 'must differ from the reference arm' },
          ]);
        const result = await deps.stats.power({
          cells: await cellCounts(db, sweep, query.endpoint, cells),
          groups: groups.length,
          arm,
          reference,
          patientsPerArm: query.patientsPerArm,
          alpha: query.alpha,
          replicates: query.replicates,
          accrualDays: query.accrualDays,
          followUpDays: query.followUpDays,
          seed: query.seed,
        });
        const armOf = (g: number, i: number) => ({
          key: groups[g]!.key,
          ...result.arms[i]!,
          points: groups[g]!.points.length,
        });
        return {
          sweepId: sweep.id,
          status: sweep.status,
          partial: isPartial(sweep),
          endpoint: query.endpoint,
          groupBy: query.groupBy,
          arm: armOf(arm, 0),
          reference: armOf(reference, 1),
          pooledAxes: sweep.axes.filter((axis) => axis !== query.groupBy),
          alpha: query.alpha,
          accrualDays: query.accrualDays,
          followUpDays: query.followUpDays,
          seed: query.seed,
          hazardRatio: result.hazardRatio,
          rows: result.rows,
          warnings: result.warnings,
        };
      },
    });
  };
  return plugin;
}
