/**
 * Kaplan–Meier sufficient statistics of a sweep's outcomes: the database counts events and
 * censorings per (point, time); @frontline/stats pools the points of a group.
 */
import type { SurvivalEndpoint } from '@frontline/contracts';
import { type CountTable, poolByGroup } from '@frontline/stats';
import type pg from 'pg';
import { unpackStepCountsOnGrid } from '../tallies/packed-counts.js';
import { survivalColumn } from '../tallies/record-tallies.js';
import type { SweepScope } from './sweep-scope.js';

/** Events and censorings at each distinct time, times ascending (stats' count table). */
export type TimeCounts = CountTable;

/** Assignment of a point to a group of pooled patients; groups are numbered 0 … groups − 1. */
export interface PointGroup {
  pointId: number;
  group: number;
}

/** A point's stored survival table as read: packed (tallies/packed-counts.ts), decoded by survivalCountsOf. */
export interface PackedSurvivalCounts {
  pointId: number;
  stepDays: number;
  counts: Uint8Array;
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
  const packed = await packedSurvivalCounts(
    pool,
    scope,
    endpoint,
    pointGroups.map((p) => p.pointId),
  );
  return survivalCountsOf(packed, pointGroups, groups);
}

/**
 * survivalCounts from the points' packed tables (packedSurvivalCounts): decoded, then pooled by group.
 * Pure, so the decoding can run where the statistics do (the API's statistics threads) rather than on
 * the event loop.
 */
export function survivalCountsOf(
  packed: readonly PackedSurvivalCounts[],
  pointGroups: readonly PointGroup[],
  groups: number,
): TimeCounts[] {
  const byPoint = new Map(packed.map((row) => [row.pointId, decodeSurvivalCounts(row.counts, row.stepDays)]));
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
  const packed = await packedSurvivalCounts(pool, scope, endpoint, pointIds);
  return new Map(packed.map((row) => [row.pointId, decodeSurvivalCounts(row.counts, row.stepDays)]));
}

/** The listed points' stored tables, packed (a point without outcomes yet has no entry). */
export async function packedSurvivalCounts(
  pool: pg.Pool,
  scope: SweepScope,
  endpoint: SurvivalEndpoint,
  pointIds: readonly number[],
): Promise<PackedSurvivalCounts[]> {
  const distinct = [...new Set(pointIds)].sort((a, b) => a - b);
  const middle = Math.ceil(distinct.length / 2);
  // Two concurrent queries on two connections: Postgres reads each half on its own core.
  const halves = [distinct.slice(0, middle), distinct.slice(middle)].filter((ids) => ids.length > 0);
  const parts = await Promise.all(halves.map((ids) => packedOfPoints(pool, scope, endpoint, ids)));
  return parts.flat();
}

async function packedOfPoints(
  pool: pg.Pool | pg.ClientBase,
  scope: Pick<SweepScope, 'sweepId'>,
  endpoint: SurvivalEndpoint,
  pointIds: readonly number[],
): Promise<PackedSurvivalCounts[]> {
  const { rows } = await pool.query<PackedSurvivalCounts>(
    // The endpoint's column of the points' rows (the view sweep_survival_tallies would carry all three).
    `select point_id as "pointId", step_days as "stepDays", ${survivalColumn(endpoint)} as counts
     from sweep_point_tallies
     where sweep_id = $1 and point_id = any($2::int4[])`,
    [scope.sweepId, pointIds],
  );
  return rows;
}

/** Each listed point's count table from the sweep's survival tables (also read inside a transaction). */
export async function countsOfPoints(
  pool: pg.Pool | pg.ClientBase,
  scope: Pick<SweepScope, 'sweepId'>,
  endpoint: SurvivalEndpoint,
  pointIds: readonly number[],
): Promise<Map<number, TimeCounts>> {
  const rows = await packedOfPoints(pool, scope, endpoint, pointIds);
  return new Map(rows.map((row) => [row.pointId, decodeSurvivalCounts(row.counts, row.stepDays)]));
}

/** A point's stored survival table (packed, tallies/packed-counts.ts) as a count table. */
function decodeSurvivalCounts(counts: Uint8Array, stepDays: number): TimeCounts {
  return unpackStepCountsOnGrid(counts, stepDays);
}
