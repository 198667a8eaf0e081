/**
 * Reading a sweep's results. A sweep's outcomes are those of its points with the sweep's cohort seed
 * and patient index below its cohort size (outcomes are shared between sweeps). Aggregation happens in
 * Postgres; large aggregates come back over binary COPY.
 */
import { once } from 'node:events';
import type { Readable } from 'node:stream';
import type pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { readFixedBinaryCopy } from './binary-copy.js';
import { inTransaction } from './client.js';
import { bestResponseNames } from './schema.js';

export const survivalEndpoints = ['os', 'pfs', 'mfs'] as const;
export type SurvivalEndpoint = (typeof survivalEndpoints)[number];

const endpointColumns: Record<SurvivalEndpoint, { days: string; event: string }> = {
  os: { days: 'os_days', event: 'os_event' },
  pfs: { days: 'pfs_days', event: 'pfs_event' },
  mfs: { days: 'mfs_days', event: 'mfs_event' },
};

/** Which outcomes belong to a sweep. */
export interface SweepScope {
  sweepId: string;
  cohortSeed: number;
  patients: number;
}

export interface SweepPointAxes {
  pointIndex: number;
  pointId: number;
  axisValues: Record<string, number>;
}

/** A page of a sweep's points in design order: `limit` points from point index `offset`. */
export interface PointRange {
  offset: number;
  limit: number;
}

const everyPoint: PointRange = { offset: 0, limit: 2_147_483_647 };

/** The points of a sweep in design order, with their axis values (those of `range` only, if given). */
export async function sweepPointAxes(
  pool: pg.Pool,
  sweepId: string,
  range: PointRange = everyPoint,
): Promise<SweepPointAxes[]> {
  const { rows } = await pool.query<{
    point_index: number;
    point_id: number;
    axis_values: Record<string, number>;
  }>(
    `select point_index, point_id, axis_values from sweep_points
     where sweep_id = $1 and point_index >= $2 order by point_index limit $3`,
    [sweepId, range.offset, range.limit],
  );
  return rows.map((r) => ({ pointIndex: r.point_index, pointId: r.point_id, axisValues: r.axis_values }));
}

/** Events and censorings at each distinct time, times ascending. */
export interface TimeCounts {
  time: Float64Array;
  nEvent: Int32Array;
  nCensor: Int32Array;
}

/** Assignment of a point to a group of pooled patients; groups are numbered 0 … groups − 1. */
export interface PointGroup {
  pointId: number;
  group: number;
}

function integerList(values: readonly number[], what: string): string {
  for (const v of values) if (!Number.isSafeInteger(v)) throw new Error(`${what} must be integers, got ${v}`);
  return `'{${values.join(',')}}'`;
}

function scopeLiterals(client: pg.ClientBase, scope: SweepScope) {
  if (!Number.isSafeInteger(scope.cohortSeed) || !Number.isSafeInteger(scope.patients))
    throw new Error('cohort seed and patients must be integers');
  return {
    sweepId: client.escapeLiteral(scope.sweepId),
    cohortSeed: String(scope.cohortSeed),
    patients: String(scope.patients),
  };
}

/**
 * pg-copy-streams ends its stream at CopyDone, before Postgres reports the command complete: wait for
 * the connection to be ready before its next statement (or before handing it back to the pool).
 */
async function copyFinished(client: pg.ClientBase): Promise<void> {
  if ((client as { readyForQuery?: boolean }).readyForQuery) return;
  await once(client, 'drain');
}

/** Run `work` in a read-only transaction with enough sort memory to keep 10⁶-row aggregates off disk. */
function withReadTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  return inTransaction(
    pool,
    async (client) => {
      await client.query(`set local work_mem = '64MB'`);
      return work(client);
    },
    { readOnly: true },
  );
}

/**
 * Kaplan–Meier sufficient statistics for each group: events and censorings per distinct time. Postgres
 * counts per (point, time) in the order of the outcomes_<endpoint>_idx indexes (no sort of 10⁶ rows);
 * the groups' points are then pooled by merging their sorted tables. Returns one entry per group
 * (empty arrays for a group without outcomes yet). A point listed twice in the same group counts once.
 */
export async function survivalCounts(
  pool: pg.Pool,
  scope: SweepScope,
  endpoint: SurvivalEndpoint,
  pointGroups: readonly PointGroup[],
  groups: number,
): Promise<TimeCounts[]> {
  const pointIds = [...new Set(pointGroups.map((p) => p.pointId))].sort((a, b) => a - b);
  // Two concurrent queries on two connections: Postgres counts each half on its own core.
  const halves = [
    pointIds.slice(0, Math.ceil(pointIds.length / 2)),
    pointIds.slice(Math.ceil(pointIds.length / 2)),
  ];
  const byPoint = new Map<number, TimeCounts>();
  const parts = await Promise.all(
    halves.filter((ids) => ids.length > 0).map((ids) => countsByPoint(pool, scope, endpoint, ids)),
  );
  for (const part of parts) for (const [pointId, counts] of part) byPoint.set(pointId, counts);
  const members: Set<number>[] = Array.from({ length: groups }, () => new Set());
  for (const { pointId, group } of pointGroups) members[group]!.add(pointId);
  return members.map((ids) => mergeCounts([...ids].map((id) => byPoint.get(id) ?? emptyCounts())));
}

async function countsByPoint(
  pool: pg.Pool,
  scope: SweepScope,
  endpoint: SurvivalEndpoint,
  pointIds: readonly number[],
): Promise<Map<number, TimeCounts>> {
  const { days, event } = endpointColumns[endpoint];
  const columns = await withReadTransaction(pool, async (client) => {
    const lit = scopeLiterals(client, scope);
    // COPY takes no bind parameters: every interpolated value is an integer checked above.
    const sql = `copy (
      select o.point_id, o.${days},
             (count(*) filter (where o.${event}))::int4, (count(*) filter (where not o.${event}))::int4
      from outcomes o
      where o.point_id = any(${integerList(pointIds, 'point ids')}::int4[])
        and o.cohort_seed = ${lit.cohortSeed} and o.patient_index < ${lit.patients}
      group by o.point_id, o.${days} order by o.point_id, o.${days}
    ) to stdout (format binary)`;
    const columns = await readFixedBinaryCopy(client.query(copyTo(sql)), ['int4', 'float8', 'int4', 'int4']);
    await copyFinished(client);
    return columns;
  });
  const [point, time, nEvent, nCensor] = columns as [Int32Array, Float64Array, Int32Array, Int32Array];
  const out = new Map<number, TimeCounts>();
  for (let start = 0; start < point.length; ) {
    let end = start;
    while (end < point.length && point[end] === point[start]) end++;
    out.set(point[start]!, {
      time: time.subarray(start, end),
      nEvent: nEvent.subarray(start, end),
      nCensor: nCensor.subarray(start, end),
    });
    start = end;
  }
  return out;
}

function emptyCounts(): TimeCounts {
  return { time: new Float64Array(0), nEvent: new Int32Array(0), nCensor: new Int32Array(0) };
}

/** Merge two ascending tables, adding the counts of times present in both. */
function mergeTwo(a: TimeCounts, b: TimeCounts): TimeCounts {
  const capacity = a.time.length + b.time.length;
  const time = new Float64Array(capacity);
  const nEvent = new Int32Array(capacity);
  const nCensor = new Int32Array(capacity);
  let i = 0;
  let j = 0;
  let n = 0;
  while (i < a.time.length || j < b.time.length) {
    const ta = i < a.time.length ? a.time[i]! : Number.POSITIVE_INFINITY;
    const tb = j < b.time.length ? b.time[j]! : Number.POSITIVE_INFINITY;
    if (ta <= tb) {
      time[n] = ta;
      nEvent[n] = a.nEvent[i]!;
      nCensor[n] = a.nCensor[i]!;
      i++;
      if (ta === tb) {
        nEvent[n]! += b.nEvent[j]!;
        nCensor[n]! += b.nCensor[j]!;
        j++;
      }
    } else {
      time[n] = tb;
      nEvent[n] = b.nEvent[j]!;
      nCensor[n] = b.nCensor[j]!;
      j++;
    }
    n++;
  }
  return { time: time.subarray(0, n), nEvent: nEvent.subarray(0, n), nCensor: nCensor.subarray(0, n) };
}

/** Pool several points' tables into one (pairwise, so O(rows · log points)). */
export function mergeCounts(tables: readonly TimeCounts[]): TimeCounts {
  if (tables.length === 0) return emptyCounts();
  let level = [...tables];
  while (level.length > 1) {
    const next: TimeCounts[] = [];
    for (let k = 0; k < level.length; k += 2)
      next.push(k + 1 < level.length ? mergeTwo(level[k]!, level[k + 1]!) : level[k]!);
    level = next;
  }
  return level[0]!;
}

export interface PointSummary {
  pointIndex: number;
  patients: number;
  /** Fraction of patients whose tumour went extinct; null before any outcome. */
  curedFraction: number | null;
  medianLeaderFractionAtDiagnosis: number | null;
  bestResponse: Record<(typeof bestResponseNames)[number], number>;
}

/** Per-point aggregates over the patients stored so far, in design order. */
export async function pointSummaries(
  pool: pg.Pool,
  scope: SweepScope,
  range: PointRange = everyPoint,
): Promise<PointSummary[]> {
  const { rows } = await pool.query<{
    point_index: number;
    patients: number;
    cured_fraction: number | null;
    median_leader_fraction: number | null;
    cr: number;
    pr: number;
    sd: number;
    pd: number;
  }>(
    // Aggregated point by point (a range of the primary key each): no sort of the sweep's outcomes.
    `select sp.point_index, agg.*
     from sweep_points sp cross join lateral (
       select count(*)::int4 as patients,
              avg(o.cured::int4)::float8 as cured_fraction,
              percentile_cont(0.5) within group (order by o.leader_fraction_at_diagnosis) as median_leader_fraction,
              count(*) filter (where o.best_response = 0)::int4 as cr,
              count(*) filter (where o.best_response = 1)::int4 as pr,
              count(*) filter (where o.best_response = 2)::int4 as sd,
              count(*) filter (where o.best_response = 3)::int4 as pd
       from outcomes o
       where o.point_id = sp.point_id and o.cohort_seed = $2 and o.patient_index < $3) agg
     where sp.sweep_id = $1 and sp.point_index >= $4
     order by sp.point_index limit $5`,
    [scope.sweepId, scope.cohortSeed, scope.patients, range.offset, range.limit],
  );
  return rows.map((r) => ({
    pointIndex: r.point_index,
    patients: r.patients,
    curedFraction: r.cured_fraction,
    medianLeaderFractionAtDiagnosis: r.median_leader_fraction,
    bestResponse: { CR: r.cr, PR: r.pr, SD: r.sd, PD: r.pd },
  }));
}

/** Kind of an exported column (drives the Parquet type). */
export type ExportColumnKind = 'int32' | 'int64' | 'double' | 'boolean' | 'string';

export interface ExportColumn {
  /** MODEL.md §7 name (or the axis's parameter name), the same in every export format. */
  name: string;
  kind: ExportColumnKind;
  /** The value's SQL expression; absent for an axis, whose value is read from the point's axis values. */
  sql?: string;
}

const bestResponseSql = `(array[${bestResponseNames.map((n) => `'${n}'`).join(',')}])[o.best_response + 1]`;

/** The outcome fields of an export row after the point index and axis values (MODEL.md §7). */
const outcomeExportColumns: ExportColumn[] = [
  { name: 'cohortSeed', kind: 'int64', sql: 'o.cohort_seed' },
  { name: 'patientIndex', kind: 'int32', sql: 'o.patient_index' },
  { name: 'osDays', kind: 'double', sql: 'o.os_days' },
  { name: 'osEvent', kind: 'boolean', sql: 'o.os_event' },
  { name: 'pfsDays', kind: 'double', sql: 'o.pfs_days' },
  { name: 'pfsEvent', kind: 'boolean', sql: 'o.pfs_event' },
  { name: 'mfsDays', kind: 'double', sql: 'o.mfs_days' },
  { name: 'mfsEvent', kind: 'boolean', sql: 'o.mfs_event' },
  { name: 'bestResponse', kind: 'string', sql: bestResponseSql },
  { name: 'nadirCells', kind: 'double', sql: 'o.nadir_cells' },
  { name: 'nadirDay', kind: 'double', sql: 'o.nadir_day' },
  { name: 'leaderFractionAtDiagnosis', kind: 'double', sql: 'o.leader_fraction_at_diagnosis' },
  { name: 'leaderFractionAtNadir', kind: 'double', sql: 'o.leader_fraction_at_nadir' },
  { name: 'leaderFractionAtEnd', kind: 'double', sql: 'o.leader_fraction_at_end' },
  { name: 'metastaticCellsAtDiagnosis', kind: 'double', sql: 'o.metastatic_cells_at_diagnosis' },
  { name: 'seedingEvents', kind: 'int32', sql: 'o.seeding_events' },
  { name: 'cured', kind: 'boolean', sql: 'o.cured' },
  { name: 'minEffector', kind: 'double', sql: 'o.min_effector' },
  { name: 'redraws', kind: 'int32', sql: 'o.redraws' },
  { name: 'sampledGrowthRate', kind: 'double', sql: 'o.sampled_growth_rate' },
  { name: 'sampledDiagnosisCells', kind: 'double', sql: 'o.sampled_diagnosis_cells' },
  { name: 'sampledEmtPlasticity', kind: 'double', sql: 'o.sampled_emt_plasticity' },
  { name: 'sampledEliminationRate', kind: 'double', sql: 'o.sampled_elimination_rate' },
  { name: 'sampledMaxDrugKill', kind: 'double', sql: 'o.sampled_max_drug_kill' },
  { name: 'sampledImmuneKill', kind: 'double', sql: 'o.sampled_immune_kill' },
];

/**
 * Columns of an outcome export: pointIndex, one column per axis (named as the parameter), then the
 * outcome fields. Column names are identical in CSV, Parquet and NDJSON.
 */
export function outcomeExportColumnsFor(axes: readonly string[]): ExportColumn[] {
  return [
    { name: 'pointIndex', kind: 'int32', sql: 'sp.point_index' },
    ...axes.map((axis) => ({ name: axis, kind: 'double' as const })),
    ...outcomeExportColumns,
  ];
}

function exportQuery(
  client: pg.ClientBase,
  scope: SweepScope,
  columns: readonly ExportColumn[],
  csv: boolean,
) {
  const lit = scopeLiterals(client, scope);
  const select = columns
    .map((c) => {
      const expression = c.sql ?? `(sp.axis_values -> ${client.escapeLiteral(c.name)})::float8`;
      // CSV gets true/false rather than Postgres' t/f.
      const value = csv && c.kind === 'boolean' ? `${expression}::text` : expression;
      return `${value} as ${client.escapeIdentifier(c.name)}`;
    })
    .join(', ');
  return `select ${select}
    from sweep_points sp
    join outcomes o on o.point_id = sp.point_id and o.cohort_seed = ${lit.cohortSeed}
                   and o.patient_index < ${lit.patients}
    where sp.sweep_id = ${lit.sweepId}
    order by sp.point_index, o.patient_index`;
}

export interface ExportOptions {
  /** statement_timeout of the export's COPY or cursor (a download can outlast the pool's own). */
  statementTimeoutMs?: number;
}

function integerOf(value: number): string {
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`expected an integer ≥ 0, got ${value}`);
  return String(value);
}

/**
 * A sweep's outcomes as CSV with a header row, streamed by Postgres itself (COPY … TO STDOUT): constant
 * memory in this process at any size. The pooled connection is released when the stream ends or fails.
 */
export async function outcomesCsvStream(
  pool: pg.Pool,
  scope: SweepScope,
  columns: readonly ExportColumn[],
  options: ExportOptions = {},
): Promise<Readable> {
  const client = await pool.connect();
  let released = false;
  const release = (error?: Error) => {
    if (released) return;
    released = true;
    client.release(error);
  };
  try {
    const timeout = options.statementTimeoutMs;
    if (timeout !== undefined) await client.query(`set statement_timeout = ${integerOf(timeout)}`);
    const stream = client.query(
      copyTo(`copy (${exportQuery(client, scope, columns, true)}) to stdout with (format csv, header)`),
    );
    stream.once(
      'end',
      () =>
        void copyFinished(client)
          // Back to the pool's own statement_timeout (the session default) before the next checkout.
          .then(() => (timeout === undefined ? undefined : client.query('reset statement_timeout')))
          .then(
            () => release(),
            (error: Error) => release(error),
          ),
    );
    // A consumer that goes away mid-stream leaves the connection mid-COPY: destroy it rather than reuse it.
    stream.once('error', (error) => release(error));
    stream.once('close', () => {
      if (!stream.readableEnded) release(new Error('export stream closed early'));
    });
    return stream;
  } catch (error) {
    release(error as Error);
    throw error;
  }
}

export type ExportRow = Record<string, number | boolean | string>;

/**
 * A sweep's outcomes in batches of at most `batchSize` rows, read through a server-side cursor so memory
 * stays bounded. Stop early by breaking out of the loop; the cursor and connection are released.
 */
export async function* outcomeRowBatches(
  pool: pg.Pool,
  scope: SweepScope,
  columns: readonly ExportColumn[],
  batchSize = 10_000,
  options: ExportOptions = {},
): AsyncGenerator<ExportRow[]> {
  const client = await pool.connect();
  let failed: Error | undefined;
  let committed = false;
  try {
    await client.query('begin read only');
    if (options.statementTimeoutMs !== undefined)
      await client.query(`set local statement_timeout = ${integerOf(options.statementTimeoutMs)}`);
    await client.query(
      `declare outcome_export no scroll cursor for ${exportQuery(client, scope, columns, false)}`,
    );
    for (;;) {
      const { rows } = await client.query<ExportRow>(`fetch forward ${batchSize} from outcome_export`);
      if (rows.length === 0) break;
      yield rows;
      if (rows.length < batchSize) break;
    }
    await client.query('commit');
    committed = true;
  } catch (error) {
    failed = error as Error;
    throw error;
  } finally {
    // Also reached when the consumer stops early: closing the transaction closes the cursor.
    if (!failed && !committed) await client.query('rollback').catch(() => {});
    client.release(failed);
  }
}
