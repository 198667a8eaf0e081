/**
 * Kaplan–Meier sufficient statistics of a sweep's outcomes: the database counts events and
 * censorings per (point, time); @frontline/stats pools the points of a group.
 */
import { type SurvivalEndpoint, survivalEndpoints } from '@frontline/contracts';
import { type CountTable, poolByGroup } from '@frontline/stats';
import type pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { readFixedBinaryCopy } from '../binary-copy.js';
import { copyFinished, integerListLiteral, type SweepScope, withReadTransaction } from './sweep-scope.js';

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

async function countsOfPoints(
  pool: pg.Pool,
  scope: SweepScope,
  endpoint: SurvivalEndpoint,
  pointIds: readonly number[],
): Promise<Map<number, TimeCounts>> {
  const columns = await withReadTransaction(pool, async (client) => {
    // COPY takes no bind parameters: every interpolated value is checked (integers, an escaped literal,
    // an endpoint of the vocabulary). The tally rows are sorted by point before their arrays are
    // unnested in order, so the output is by point, then step: no sort of the unnested rows.
    if (!survivalEndpoints.includes(endpoint)) throw new Error(`unknown endpoint ${endpoint}`);
    const sql = `copy (
      select t.point_id, (u.step * t.step_days)::float8, u.events, u.censored
      from (select point_id, step_days, steps, events, censored from sweep_survival_tallies
            where sweep_id = ${client.escapeLiteral(scope.sweepId)} and endpoint = '${endpoint}'
              and point_id = any(${integerListLiteral(pointIds, 'point ids')}::int4[])
            order by point_id) t
      cross join lateral unnest(t.steps, t.events, t.censored) as u(step, events, censored)
    ) to stdout (format binary)`;
    const columns = await readFixedBinaryCopy(client.query(copyTo(sql)), ['int4', 'float8', 'int4', 'int4']);
    await copyFinished(client);
    return columns;
  });
  const [point, time, nEvent, nCensor] = columns as [Int32Array, Float64Array, Int32Array, Int32Array];
  return splitByPoint(point, { time, nEvent, nCensor });
}

/** Cut the rows (ordered by point, then time) into one table per point, without copying. */
function splitByPoint(point: Int32Array, rows: TimeCounts): Map<number, TimeCounts> {
  const out = new Map<number, TimeCounts>();
  for (let start = 0; start < point.length; ) {
    let end = start;
    while (end < point.length && point[end] === point[start]) end++;
    out.set(point[start]!, {
      time: rows.time.subarray(start, end),
      nEvent: rows.nEvent.subarray(start, end),
      nCensor: rows.nCensor.subarray(start, end),
    });
    start = end;
  }
  return out;
}
