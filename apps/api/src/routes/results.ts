import { ApiError, apiError } from '@frontline/contracts';
import {
  forTenant,
  pointSummaries,
  type SurvivalEndpoint,
  type SweepProgress,
  type SweepScope,
  survivalCounts,
  survivalEndpoints,
  sweepPointAxes,
} from '@frontline/db';
import { defaultParams } from '@frontline/sim';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type pg from 'pg';
import { z } from 'zod';
import type { CapacityOptions, HeavyGate } from '../capacity.js';
import type { StatsPool } from '../stats-pool.js';
import { binContinuousAxes, type Comparison, chooseComparison, groupPoints } from '../survival-groups.js';
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
  /** Cut each groupBy axis with more distinct values into this many quantile bins. */
  bins: z.coerce.number().int().min(2).max(100).optional(),
});

const pointsQuery = z.object({
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).optional(),
});

const defaultTimes = [365, 730];

export interface ResultDeps {
  /** The pool for heavy reads (bounded by `gate`), not the one key checks use. */
  heavyPool: pg.Pool;
  gate: HeavyGate;
  stats: StatsPool;
  capacity: CapacityOptions;
}

/** The heavy pool as the request's tenant (row-level security as on `request.tenantDb`). */
export const heavyDb = (deps: { heavyPool: pg.Pool }, request: FastifyRequest) =>
  forTenant(deps.heavyPool, request.auth!.tenantId);

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

export function resultRoutes(deps: ResultDeps) {
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
      async (request, reply) => {
        const { id } = request.params as { id: string };
        const query = request.query as z.infer<typeof survivalQuery>;
        await deps.gate.enter(request, reply);
        const db = heavyDb(deps, request);
        const sweep = await loadSweep(request.tenantDb, id);
        const groupBy = query.groupBy && query.groupBy.length > 0 ? [...new Set(query.groupBy)] : null;
        if (groupBy) checkAxes(sweep, groupBy);
        const at = query.at ?? defaultTimes;
        const endpoint: SurvivalEndpoint = query.endpoint;

        if (query.bins !== undefined && !groupBy)
          throw new ApiError('validation_failed', 'bins needs groupBy: the axes to cut into quantile bins', [
            { path: 'querystring.bins', rule: 'only with groupBy' },
          ]);
        let points = await sweepPointAxes(db, id);
        let binned: ReturnType<typeof binContinuousAxes> | null = null;
        if (groupBy && query.bins !== undefined) {
          binned = binContinuousAxes(points, groupBy, query.bins);
          points = binned.points;
        }
        const { groups, pointGroups } = groupPoints(points, groupBy);
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
        checkGroupLimits(groups.length, groupBy, comparison, deps.capacity);
        const counts = await survivalCounts(db, scopeOf(sweep), endpoint, pointGroups, groups.length);
        const stats = await deps.stats.survival({
          groups: counts,
          heads: groups.map((group) => ({
            key: group.key,
            ...(group.ranges ? { ranges: group.ranges } : {}),
            ...(group.pointIndex === undefined ? {} : { pointIndex: group.pointIndex }),
          })),
          taus: groups.map((group) =>
            group.points.reduce((min, p) => Math.min(min, horizonOf(sweep, p.axisValues)), Infinity),
          ),
          at,
          maxPoints: query.maxPoints,
          comparison:
            comparison.method === 'referenceArm'
              ? { method: 'referenceArm', references: comparison.references }
              : { method: 'allGroups' },
        });

        const head = JSON.stringify({
          sweepId: sweep.id,
          status: sweep.status,
          partial: isPartial(sweep),
          endpoint,
          groupBy: groupBy ?? [],
          comparison:
            comparison.method === 'referenceArm'
              ? { method: comparison.method, referenceArm: comparison.referenceArm }
              : { method: comparison.method, reason: comparison.reason, logRank: stats.overall },
        });
        // The groups come serialised from the statistics thread: splice them in as text.
        return reply
          .type('application/json; charset=utf-8')
          .send(`${head.slice(0, -1)},"groups":${stats.groupsJson}}`);
      },
    );

    app.get(
      '/v1/sweeps/:id/points',
      {
        config: { access: 'read' },
        schema: {
          summary: 'One row per parameter point: medians, S(365), S(730), RMST, cure, response counts',
          description:
            'Paged for large sweeps: `limit` points (at most maxPointsPerPage) from point index `offset`; ' +
            '`nextOffset` is the next page, null after the last.',
          tags: ['results'],
          params: sweepIdParams,
          querystring: pointsQuery,
        },
      },
      async (request, reply) => {
        const { id } = request.params as { id: string };
        const query = request.query as z.infer<typeof pointsQuery>;
        const pageLimit = deps.capacity.maxPointsPerPage;
        if (query.limit !== undefined && query.limit > pageLimit)
          throw apiError(
            'limit_exceeded',
            `limit=${query.limit} is more points than one page holds: at most ${pageLimit} (maxPointsPerPage)`,
            [{ path: 'querystring.limit', rule: `at most ${pageLimit} (maxPointsPerPage)` }],
          );
        const range = { offset: query.offset, limit: query.limit ?? pageLimit };
        await deps.gate.enter(request, reply);
        const db = heavyDb(deps, request);
        const sweep = await loadSweep(request.tenantDb, id);
        const scope = scopeOf(sweep);
        const points = await sweepPointAxes(db, id, range);
        const pointGroups = points.map((p, group) => ({ pointId: p.pointId, group }));
        const [summaries, os, pfs] = await Promise.all([
          pointSummaries(db, scope, range),
          survivalCounts(db, scope, 'os', pointGroups, points.length),
          survivalCounts(db, scope, 'pfs', pointGroups, points.length),
        ]);
        const endpoints = await deps.stats.points({
          os,
          pfs,
          taus: points.map((point) => horizonOf(sweep, point.axisValues)),
          at: defaultTimes,
        });
        const summaryByIndex = new Map(summaries.map((summary) => [summary.pointIndex, summary]));
        const end = range.offset + points.length;
        return {
          sweepId: sweep.id,
          status: sweep.status,
          partial: isPartial(sweep),
          axes: sweep.axes,
          totalPoints: sweep.points,
          offset: range.offset,
          nextOffset: end < sweep.points && points.length === range.limit ? end : null,
          points: points.map((point, i) => {
            const stats = summaryByIndex.get(point.pointIndex)!;
            return {
              pointIndex: point.pointIndex,
              axisValues: point.axisValues,
              patients: stats.patients,
              os: endpoints[i]!.os,
              pfs: endpoints[i]!.pfs,
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
