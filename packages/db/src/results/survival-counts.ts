/**
 * Kaplan–Meier sufficient statistics of a sweep's outcomes: the database counts events and
 * censorings per (point, time); @frontline/stats pools the points of a group.
 */
import type { SurvivalEndpoint } from '@frontline/contracts';
import { type CountTable, poolByGroup } from '@frontline/stats';
import type pg from 'pg';
import { unpackStepCounts } from '../tallies/packed-counts.js';
import { gridTime } from '../tallies/time-grid.js';
import type { SweepScope } from './sweep-scope.js';

/** Events and censorings at each distinct time, times ascending (stats' count table). */
export type TimeCounts = CountTable;

/** Assignment of a point to a group of pooled patients; groups are numbered 0 … groups − 1. */
export interface PointGroup {
  pointId: number;
  group: number;
}

/**
 * Count tables for each group: each point's table is read from the sweep's survival tables (kept at
 * ingest, O(points × grid) whatever the cohort size); the groups' points are then pooled by merging
 * their sorted tables. Returns one entry per group (empty arrays for a group without outcomes yet). A
 * point listed twice in the same group counts once.
 */
export async function survivalCounts(
  pool: pg.Pool,
  scope: SweepScope,
  endpoint: SurvivalEndpoint,
  pointGroups: readonly PointGroup[],
  groups: number,
): Promise<TimeCounts[]> {
  const byPoint = await survivalCountsByPoint(
    pool,
    scope,
    endpoint,
    pointGroups.map((p) => p.pointId),
  );
  return poolByGroup(
    byPoint,
    pointGroups.map(({ pointId, group }) => ({ member: pointId, group })),
    groups,
  );
}

/** Each point's count table (a point without outcomes yet has no entry). */
export async function survivalCountsByPoint(
  pool: pg.Pool,
  scope: SweepScope,
  endpoint: SurvivalEndpoint,
  pointIds: readonly number[],
): Promise<Map<number, TimeCounts>> {
  const distinct = [...new Set(pointIds)].sort((a, b) => a - b);
  const middle = Math.ceil(distinct.length / 2);
  // Two concurrent queries on two connections: Postgres counts each half on its own core.
  const halves = [distinct.slice(0, middle), distinct.slice(middle)].filter((ids) => ids.length > 0);
  const parts = await Promise.all(halves.map((ids) => countsOfPoints(pool, scope, endpoint, ids)));
  return new Map(parts.flatMap((part) => [...part]));
}

/** Each listed point's count table from the sweep's survival tables (also read inside a transaction). */
export async function countsOfPoints(
  pool: pg.Pool | pg.ClientBase,
  scope: Pick<SweepScope, 'sweepId'>,
  endpoint: SurvivalEndpoint,
  pointIds: readonly number[],
): Promise<Map<number, TimeCounts>> {
  const { rows } = await pool.query<{ pointId: number; stepDays: number; counts: Buffer }>(
    `select point_id as "pointId", step_days as "stepDays", counts
     from sweep_survival_tallies
     where sweep_id = $1 and endpoint = $2 and point_id = any($3::int4[])`,
    [scope.sweepId, endpoint, pointIds],
  );
  const out = new Map<number, TimeCounts>();
  for (const row of rows) out.set(row.pointId, decodeSurvivalCounts(row.counts, row.stepDays));
  return out;
}

/** A point's stored survival table (packed, tallies/packed-counts.ts) as a count table. */
function decodeSurvivalCounts(counts: Uint8Array, stepDays: number): TimeCounts {
  const { steps, events, censored } = unpackStepCounts(counts);
  const time = new Float64Array(steps.length);
  // The same product as the write path's gridTime: times equal the stored rows' exactly.
  for (let i = 0; i < steps.length; i++) time[i] = gridTime(steps[i]!, stepDays);
  return { time, nEvent: events, nCensor: censored };
}
