import { ApiError, apiError, resultRoutes as contracts, type SurvivalQuery } from '@frontline/contracts';
import { packedSurvivalCounts, type SweepProgress, sweepPointAxes } from '@frontline/db';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type pg from 'pg';
import type { CapacityOptions } from '../capacity.js';
import type { SurvivalStatsResult } from '../stats-task.js';
import {
  binContinuousAxes,
  type Comparison,
  chooseComparison,
  groupCells,
  groupPoints,
  type SurvivalGroup,
} from '../survival-groups.js';
import { fromContract, sendAsIs } from './contract.js';
import { defaultTimes, heavyDb, horizonOf, isPartial, type ResultDeps, scopeOf } from './result-scope.js';
import { loadSweep } from './sweeps.js';

/**
 * Refuse, before any counting, a request whose statistics would grow without bound: a curve per group
 * (the answer's size), and the k × k variance of an all-groups log-rank test at every event time.
 */
function checkGroupLimits(
  groups: number,
  groupBy: readonly string[] | null,
  comparison: Comparison,
  capacity: CapacityOptions,
) {
  const asked = groupBy ? `groupBy=${groupBy.join(',')} makes` : 'one group per point (no groupBy) makes';
  if (groups > capacity.maxSurvivalGroups)
    throw apiError(
      'limit_exceeded',
      `${asked} ${groups} groups; survival answers at most ${capacity.maxSurvivalGroups} groups (maxSurvivalGroups): ` +
        'group by axes with fewer distinct values, or cut continuous axes into quantile bins (bins=8)',
      [
        {
          path: 'querystring.groupBy',
          rule: `at most ${capacity.maxSurvivalGroups} groups (maxSurvivalGroups)`,
        },
      ],
    );
  if (comparison.method === 'allGroups' && groups > capacity.maxLogRankGroups)
    throw apiError(
      'limit_exceeded',
      `${asked} ${groups} groups; a log-rank test across all groups is limited to ${capacity.maxLogRankGroups} ` +
        `groups (maxLogRankGroups): group by axes with fewer distinct values, cut them into quantile bins ` +
        '(bins=8), or give the sweep a referenceArm ' +
        'on a grouped axis (each group is then tested against its reference alone)',
      [
        {
          path: 'querystring.groupBy',
          rule: `at most ${capacity.maxLogRankGroups} groups (maxLogRankGroups)`,
        },
      ],
    );
}

export function checkAxes(sweep: SweepProgress, groupBy: readonly string[]) {
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

/**
 * The groups a survival request asks for: points pooled by the `groupBy` axes (continuous ones cut
 * into quantile bins with `bins`), or one per point, and how the groups are compared.
 */
async function planGroups(
  db: pg.Pool,
  sweep: SweepProgress,
  query: SurvivalQuery,
  capacity: CapacityOptions,
) {
  const groupBy = query.groupBy && query.groupBy.length > 0 ? [...new Set(query.groupBy)] : null;
  if (groupBy) checkAxes(sweep, groupBy);
  if (query.bins !== undefined && !groupBy)
    throw new ApiError('validation_failed', 'bins needs groupBy: the axes to cut into quantile bins', [
      { path: 'querystring.bins', rule: 'only with groupBy' },
    ]);
  const sweepPoints = await sweepPointAxes(db, sweep.id);
  let points = sweepPoints;
  let binned: ReturnType<typeof binContinuousAxes> | null = null;
  let strataValues = new Map<number, Record<string, number>>();
  if (groupBy && query.bins !== undefined) {
    binned = binContinuousAxes(points, groupBy, query.bins);
    points = binned.points;
    const pooledAxes = sweep.axes.filter((axis) => !groupBy.includes(axis));
    strataValues = new Map(
      binContinuousAxes(sweepPoints, pooledAxes, query.bins).points.map((p) => [p.pointId, p.axisValues]),
    );
  }
  const { groups } = groupPoints(points, groupBy);
  if (binned && binned.binned.length > 0)
    for (const group of groups)
      group.ranges = Object.fromEntries(
        binned.binned.map((axis) => [axis, binned.ranges.get(axis)!.get(group.key[axis]!)!]),
      );
  // A bin is not a value: the reference arm's value cannot name one.
  const comparison: Comparison =
    binned && binned.binned.length > 0
      ? { method: 'allGroups', reason: `groups are quantile bins of ${binned.binned.join(', ')}` }
      : chooseComparison(groups, sweep.referenceArm);
  checkGroupLimits(groups.length, groupBy, comparison, capacity);
  return { groupBy, groups, comparison, cells: groupCells(groups, groupBy, sweep.axes, strataValues) };
}

/** What each group of the answer starts with (its key, bin ranges, point index). */
const groupHead = (group: SurvivalGroup) => ({
  key: group.key,
  ...(group.ranges ? { ranges: group.ranges } : {}),
  ...(group.pointIndex === undefined ? {} : { pointIndex: group.pointIndex }),
  points: group.points.length,
});

/**
 * The answer as JSON text in UTF-8: the head built here, the groups as serialised by the statistics
 * threads (megabytes of curves; see survivalResponseSchema, which tests check real answers against).
 */
function survivalBody(
  sweep: SweepProgress,
  query: SurvivalQuery,
  groupBy: string[] | null,
  comparison: Comparison,
  stratifiedBy: string[],
  stats: SurvivalStatsResult,
): Buffer {
  const head = JSON.stringify({
    sweepId: sweep.id,
    status: sweep.status,
    partial: isPartial(sweep),
    endpoint: query.endpoint,
    groupBy: groupBy ?? [],
    comparison:
      comparison.method === 'referenceArm'
        ? { method: comparison.method, referenceArm: comparison.referenceArm, stratifiedBy }
        : { method: comparison.method, reason: comparison.reason, stratifiedBy, logRank: stats.overall },
  });
  return Buffer.concat([Buffer.from(`${head.slice(0, -1)},"groups":`), stats.groups, Buffer.from('}')]);
}

/** GET /v1/sweeps/{id}/survival: Kaplan–Meier curves and their summaries per group of points. */
export function survivalRoutes(deps: ResultDeps) {
  const plugin: FastifyPluginAsyncZod = async (app) => {
    app.route({
      ...fromContract(contracts.survival),
      handler: async (request, reply) => {
        const { query } = request;
        await deps.gate.enter(request, reply);
        const db = heavyDb(deps, request);
        const sweep = await loadSweep(request.tenantDb, request.params.id);
        const { groupBy, groups, comparison, cells } = await planGroups(db, sweep, query, deps.capacity);
        // Counted per cell (a group's points of one stratum): the statistics threads decode the points'
        // packed tables, pool them by cell and each group's cells.
        const packed = await packedSurvivalCounts(
          db,
          scopeOf(sweep),
          query.endpoint,
          cells.pointCells.map((p) => p.pointId),
        );
        const stats = await deps.stats.survival({
          cells: {
            packed,
            pointCells: cells.pointCells,
            group: cells.cells.map((c) => c.group),
            stratum: cells.cells.map((c) => c.stratum),
            cohortPatients: sweep.patients,
          },
          stratified: cells.stratifiedBy.length > 0,
          heads: groups.map(groupHead),
          taus: groups.map((group) =>
            group.points.reduce((min, p) => Math.min(min, horizonOf(sweep, p.axisValues)), Infinity),
          ),
          at: query.at ?? defaultTimes,
          maxPoints: query.maxPoints,
          comparison:
            comparison.method === 'referenceArm'
              ? { method: 'referenceArm', references: comparison.references }
              : { method: 'allGroups' },
        });
        // Sent as bytes with a JSON content type, so Fastify does not serialise it again.
        reply.type('application/json; charset=utf-8');
        return sendAsIs(reply, survivalBody(sweep, query, groupBy, comparison, cells.stratifiedBy, stats));
      },
    });
  };
  return plugin;
}
