/**
 * A sweep's outcomes for download: CSV streamed by Postgres itself (COPY), or row batches through a
 * cursor for NDJSON and Parquet. Column names are identical in every format.
 */

import { PassThrough, type Readable } from 'node:stream';
import { bestResponses, recistResponses } from '@frontline/contracts';
import type pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { queryWithin } from '../client.js';
import { type OutcomeColumn, outcomeColumns } from '../outcome-columns.js';
import { copyFinished, integerLiteral, type SweepScope, scopeLiterals } from './sweep-scope.js';

/** Kind of an exported column (drives the Parquet type). */
export type ExportColumnKind = 'int32' | 'int64' | 'double' | 'boolean' | 'string';

export interface ExportColumn {
  /** MODEL.md §7 name (or the axis's parameter name), the same in every export format. */
  name: string;
  kind: ExportColumnKind;
  /** The value's SQL expression; absent for an axis, whose value is read from the point's axis values. */
  sql?: string;
}

// The stored code is the response's position in the vocabulary (SQL arrays count from 1).
const responseSql = (names: readonly string[], column: string) =>
  `(array[${names.map((n) => `'${n}'`).join(',')}])[o.${column} + 1]`;
const responseNames: Partial<Record<OutcomeColumn['field'], readonly string[]>> = {
  bestResponse: bestResponses,
  recistBestResponse: recistResponses,
};

const exportKinds: Record<string, ExportColumnKind> = {
  bigint: 'int64',
  integer: 'int32',
  'double precision': 'double',
  // Exported as the double it is exactly (the recorded single-precision value, docs/results.md).
  real: 'double',
  boolean: 'boolean',
};

function exportKindOf(column: OutcomeColumn): ExportColumnKind {
  const kind = exportKinds[column.sqlType];
  if (!kind) throw new Error(`outcomes.${column.column}: no export kind for ${column.sqlType}`);
  return kind;
}

// The point's grid, as the write path read it (stepDaysOf): step × stepDays is, bit for bit, the recorded time.
// Read once per point (exportQuery's `pt`), not per row: the view's `params` is a jsonb merge of base and
// differences.
const stepDaysSql = 'pt.step_days';

function exportColumnOf(c: OutcomeColumn): ExportColumn {
  const names = responseNames[c.field];
  if (names) return { name: c.field, kind: 'string', sql: responseSql(names, c.column) };
  if (c.gridTime) return { name: c.field, kind: 'double', sql: `(o.${c.column} * ${stepDaysSql})` };
  // float8, so every format (and node-pg) carries the stored single-precision value exactly.
  if (c.sqlType === 'real') return { name: c.field, kind: 'double', sql: `o.${c.column}::float8` };
  return { name: c.field, kind: exportKindOf(c), sql: `o.${c.column}` };
}

/**
 * The outcome fields of an export row after the point index and axis values, as the model names
 * them: every column an lf-tid@2 outcome fills, and for lf-tid@1 sweeps v1's (its export is unchanged,
 * and no exported value is ever null).
 */
const outcomeExportColumns = {
  v1: outcomeColumns.filter((c) => !c.v2Only).map(exportColumnOf),
  v2: outcomeColumns.map(exportColumnOf),
};

/**
 * Columns of an outcome export: pointIndex, one column per axis (named as the parameter), then the
 * outcome fields. Column names are identical in CSV, Parquet and NDJSON.
 */
export function outcomeExportColumnsFor(axes: readonly string[], modelId: string): ExportColumn[] {
  return [
    { name: 'pointIndex', kind: 'int32', sql: 'pt.point_index' },
    ...axes.map((axis) => ({ name: axis, kind: 'double' as const })),
    ...(modelId === 'lf-tid@1' ? outcomeExportColumns.v1 : outcomeExportColumns.v2),
  ];
}

/**
 * A point with at least this many patients is read by a statement of its own, straight down the outcomes
 * key. In one statement for every point, each point's rows were sorted (an incremental sort per point)
 * before the first of them went out: 16–20 s for one point of 10⁷ patients (docs/benchmarks.md, Exports).
 */
export const ownStatementPatients = 50_000;

/**
 * For an export's transaction: no sort where the outcomes key gives the order. For a point of half the
 * outcomes table the planner chose a parallel scan and a sort of its rows over the key's index scan.
 */
export const exportPlanSetting = `select set_config('enable_sort', 'off', true)`;

/** A point read by a statement of its own: what the sweep's statement reads of it, as literals. */
interface LargePoint {
  pointIndex: number;
  pointId: number;
  patients: number;
  stepDays: number;
  /** The point's values of the export's axis columns, in their order. */
  axisValues: number[];
}

/** One statement of an export: the points of design positions [from, to], or one large point alone. */
type ExportPart = { from: number; to: number } | { point: LargePoint };

const lastPointIndex = 2_147_483_647;

/** An exported column's SQL, given the point's (`pt`) columns and the row's (`o`). */
function selectList(client: pg.ClientBase, columns: readonly ExportColumn[], csv: boolean) {
  return columns
    .map((c) => {
      const expression = c.sql ?? `pt.${axisAlias(client, c.name)}`;
      // CSV gets true/false rather than Postgres' t/f.
      const value = csv && c.kind === 'boolean' ? `${expression}::text` : expression;
      return `${value} as ${client.escapeIdentifier(c.name)}`;
    })
    .join(', ');
}

const axisAlias = (client: pg.ClientBase, name: string) => client.escapeIdentifier(`axis ${name}`);
const axisColumns = (columns: readonly ExportColumn[]) => columns.filter((c) => c.sql === undefined);

/** A finite double as SQL text that reads back as the same double (the shortest round-trip form). */
function float8Literal(value: number): string {
  if (!Number.isFinite(value)) throw new Error(`expected a finite number, got ${value}`);
  return `${Object.is(value, -0) ? '-0' : String(value)}::float8`;
}

/**
 * The export's statements, in order: the design's points by ranges, and each point of at least
 * `ownStatementPatients` patients alone. A sweep without such points is one statement.
 */
export async function exportStatements(
  client: pg.ClientBase,
  scope: SweepScope,
  columns: readonly ExportColumn[],
  csv: boolean,
  silenceMs?: number,
): Promise<string[]> {
  const lit = scopeLiterals(client, scope);
  const axes = axisColumns(columns);
  const axisValues = axes
    .map((c) => `(sp.axis_values -> ${client.escapeLiteral(c.name)})::float8`)
    .join(', ');
  const { rows: large } = await queryWithin<LargePoint>(
    client,
    silenceMs,
    `select sp.point_index as "pointIndex", sp.point_id as "pointId",
            coalesce(sp.cohort_patients, ${lit.patients}) as patients,
            (p.params->>'stepDays')::float8 as "stepDays", array[${axisValues}]::float8[] as "axisValues"
     from sweep_points sp
     join points p on p.id = sp.point_id
     where sp.sweep_id = ${lit.sweepId} and coalesce(sp.cohort_patients, ${lit.patients}) >= ${ownStatementPatients}
     order by sp.point_index`,
  );
  const parts: ExportPart[] = [];
  let from = 0;
  for (const point of large) {
    if (point.pointIndex > from) parts.push({ from, to: point.pointIndex - 1 });
    parts.push({ point });
    from = point.pointIndex + 1;
  }
  if (from <= lastPointIndex) parts.push({ from, to: lastPointIndex });
  return parts.map((part) => exportQuery(client, scope, columns, csv, part));
}

function exportQuery(
  client: pg.ClientBase,
  scope: SweepScope,
  columns: readonly ExportColumn[],
  csv: boolean,
  part: ExportPart,
) {
  const lit = scopeLiterals(client, scope);
  const axes = axisColumns(columns);
  const select = selectList(client, columns, csv);
  if ('point' in part) {
    // The point's columns as constants: the statement reads one key range of outcomes, already in
    // patient order, so nothing is sorted.
    const { point } = part;
    const axisValues = axes
      .map((c, i) => `, ${float8Literal(point.axisValues[i]!)} as ${axisAlias(client, c.name)}`)
      .join('');
    return `select ${select}
    from (select ${integerLiteral(point.pointIndex)} as point_index,
                 ${float8Literal(point.stepDays)} as step_days${axisValues}) pt
    cross join outcomes o
    where o.point_id = ${integerLiteral(point.pointId)} and o.cohort_seed = ${lit.cohortSeed}
      and o.patient_index < ${integerLiteral(point.patients)}
    order by o.patient_index`;
  }
  const axisValues = axes
    .map(
      (c) => `, (sp.axis_values -> ${client.escapeLiteral(c.name)})::float8 as ${axisAlias(client, c.name)}`,
    )
    .join('');
  // Point by point (`pt`: each point's grid and axis values computed once), each point's rows read in key
  // order (lateral): the plan streams in the export's order and reads only this sweep's rows. As a plain
  // join, with 5·10⁷ rows stored of which the sweep's 10⁷, the planner scanned the whole outcomes table and
  // sorted the sweep's rows before the first byte (27–32 s, against ~1 s now).
  // An adaptive cohort's point holds the patients its rounds used (other sweeps may have stored more).
  return `select ${select}
    from (
      select sp.point_index, sp.point_id, coalesce(sp.cohort_patients, ${lit.patients}) as patients,
             (p.params->>'stepDays')::float8 as step_days${axisValues}
      from sweep_points sp
      join points p on p.id = sp.point_id
      where sp.sweep_id = ${lit.sweepId}
        and sp.point_index between ${integerLiteral(part.from)} and ${integerLiteral(part.to)}
      order by sp.point_index) pt
    cross join lateral (
      select * from outcomes o
      where o.point_id = pt.point_id and o.cohort_seed = ${lit.cohortSeed} and o.patient_index < pt.patients
      order by o.patient_index) o
    order by pt.point_index, o.patient_index`;
}

export interface ExportOptions {
  /** statement_timeout of the export's COPY or cursor (a download can outlast the pool's own). */
  statementTimeoutMs?: number;
  /**
   * How long Postgres may send nothing while the export waits on it before its connection is taken for
   * dead (DB_QUERY_TIMEOUT_MS): each statement's wait for an answer, and a COPY's wait for its next bytes
   * while its reader is reading. Unbounded if not given. The export then fails as a connection error and
   * its connection is discarded, never pooled again.
   */
  silenceMs?: number;
}

/**
 * Fail `stream` (as pg fails a statement past its `query_timeout`) once it has waited `silenceMs` for
 * bytes from Postgres while its reader was reading. Time its reader spends not reading (a full buffer, a
 * paused pipe) does not count: a slow client is abortWhenStalled's business, not a silent server.
 */
function failWhenSilent(stream: Readable, silenceMs: number): void {
  let lastHeard = Date.now();
  const heard = () => {
    lastHeard = Date.now();
  };
  // Observes the bytes without taking them: 'data' listeners would switch the stream to flowing early.
  const push = stream.push.bind(stream);
  stream.push = (chunk, encoding) => {
    heard();
    return push(chunk, encoding);
  };
  const check = setInterval(
    () => {
      const waiting =
        stream.readableFlowing !== false && stream.readableLength < stream.readableHighWaterMark;
      if (!waiting) return heard();
      if (Date.now() - lastHeard < silenceMs) return;
      clearInterval(check);
      stream.destroy(
        new Error(`Query read timeout: Postgres sent nothing for ${silenceMs} ms of the export`),
      );
    },
    Math.max(50, Math.min(1_000, silenceMs / 4)),
  );
  check.unref();
  stream.once('close', () => clearInterval(check));
}

/**
 * The export's time limits, for its transaction only. Between a cursor's batches the session waits on the
 * consumer, idle in its transaction: the app role's limit on that (migration 0019) would end a download
 * whose client reads slowly, so the export's own limit replaces it too.
 */
async function setExportLimits(client: pg.PoolClient, { statementTimeoutMs, silenceMs }: ExportOptions) {
  if (statementTimeoutMs === undefined) return;
  const timeout = integerLiteral(statementTimeoutMs);
  await queryWithin(
    client,
    silenceMs,
    `set local statement_timeout = ${timeout}; set local idle_in_transaction_session_timeout = ${timeout}`,
  );
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
    // In a transaction, so a tenant-bound pool names the tenant for the COPYs (forTenant), they read one
    // snapshot, and the timeout ends with it.
    await queryWithin(client, options.silenceMs, 'begin isolation level repeatable read, read only');
    await queryWithin(client, options.silenceMs, exportPlanSetting);
    await setExportLimits(client, options);
    const statements = await exportStatements(client, scope, columns, true, options.silenceMs);
    // The statements' COPYs one after another into one stream, the header with the first. Piped: while the
    // reader does not read, the COPY in progress is paused, which failWhenSilent does not count.
    const csv = new PassThrough();
    const fail = (error: Error) => {
      csv.destroy(error);
      release(error);
    };
    const copyPart = (i: number) => {
      if (csv.destroyed) return; // its reader went away between two statements (released on 'close')
      const header = i === 0 ? ', header' : '';
      const copy = client.query(copyTo(`copy (${statements[i]}) to stdout with (format csv${header})`));
      if (options.silenceMs !== undefined) failWhenSilent(copy, options.silenceMs);
      // `on`, not `once`: after a first failure, pg may fail the COPY again as its connection is ended, and an
      // 'error' with no listener would crash the process.
      copy.on('error', fail);
      copy.once('end', () => {
        const finished = copyFinished(client, options.silenceMs);
        if (i < statements.length - 1) {
          finished.then(() => copyPart(i + 1)).catch(fail);
          return;
        }
        csv.end();
        finished
          .then(() => queryWithin(client, options.silenceMs, 'commit'))
          .then(
            () => release(),
            (error: Error) => release(error),
          );
      });
      copy.pipe(csv, { end: false });
    };
    copyPart(0);
    // A consumer that goes away mid-stream leaves the connection mid-COPY: destroy it rather than reuse it.
    csv.once('close', () => {
      if (!csv.readableEnded) release(new Error('export stream closed early'));
    });
    return csv;
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
    const query = <R extends pg.QueryResultRow>(text: string) =>
      queryWithin<R>(client, options.silenceMs, text);
    await query('begin isolation level repeatable read, read only');
    await query(exportPlanSetting);
    await setExportLimits(client, options);
    for (const statement of await exportStatements(client, scope, columns, false, options.silenceMs)) {
      await query(`declare outcome_export no scroll cursor for ${statement}`);
      for (;;) {
        const { rows } = await query<ExportRow>(`fetch forward ${batchSize} from outcome_export`);
        if (rows.length === 0) break;
        yield rows;
        if (rows.length < batchSize) break;
      }
      await query('close outcome_export');
    }
    await query('commit');
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
