/**
 * Kaplan–Meier sufficient statistics of a sweep's outcomes: the database counts events and
 * censorings per (point, time); @frontline/stats pools the points of a group.
 */
import type { SurvivalEndpoint } from '@frontline/contracts';
import { type CountTable, poolByGroup } from '@frontline/stats';
import { getTableColumns } from 'drizzle-orm';
import type pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { readFixedBinaryCopy } from '../binary-copy.js';
import { outcomes } from '../schema.js';
import {
  copyFinished,
  integerListLiteral,
  type SweepScope,
  scopeLiterals,
  withReadTransaction,
} from './sweep-scope.js';

/** Events and censorings at each distinct time, times ascending (stats' count table). */
export type TimeCounts = CountTable;

/** Assignment of a point to a group of pooled patients; groups are numbered 0 … groups − 1. */
export interface PointGroup {
  pointId: number;
  group: number;
}

const outcomeColumns = getTableColumns(outcomes);

/**
 * The endpoint's time and event columns: `osDays`/`osEvent` and so on, named by the schema. For an
 * lf-tid@2 sweep `pfs` is the scan-based PFS, as a trial measures it (docs/results.md); v1 reads its
 * continuously observed PFS.
 */
function endpointColumns(endpoint: SurvivalEndpoint, modelId: string) {
  const field = endpoint === 'pfs' && modelId === 'lf-tid@2' ? 'scanPfs' : endpoint;
  return { days: outcomeColumns[`${field}Days`].name, event: outcomeColumns[`${field}Event`].name };
}

/**
 * Count tables for each group. Postgres counts per (point, time) in the order of the
 * outcomes_<endpoint>_idx indexes (no sort of 10⁶ rows); the groups' points are then pooled by
 * merging their sorted tables. Returns one entry per group (empty arrays for a group without
 * outcomes yet). A point listed twice in the same group counts once.
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
  const { days, event } = endpointColumns(endpoint, scope.modelId);
  const columns = await withReadTransaction(pool, async (client) => {
    const lit = scopeLiterals(client, scope);
    // COPY takes no bind parameters: every interpolated value is an integer checked above.
    const sql = `copy (
      select o.point_id, o.${days},
             (count(*) filter (where o.${event}))::int4, (count(*) filter (where not o.${event}))::int4
      from outcomes o
      where o.point_id = any(${integerListLiteral(pointIds, 'point ids')}::int4[])
        and o.cohort_seed = ${lit.cohortSeed} and o.patient_index < ${lit.patients}
        and o.${days} is not null
      group by o.point_id, o.${days} order by o.point_id, o.${days}
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
