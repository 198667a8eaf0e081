/**
 * A sweep's outcomes for download: CSV streamed by Postgres itself (COPY), or row batches through a
 * cursor for NDJSON and Parquet. Column names are identical in every format.
 */

import type { Readable } from 'node:stream';
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

function exportQuery(
  client: pg.ClientBase,
  scope: SweepScope,
  columns: readonly ExportColumn[],
  csv: boolean,
) {
  const lit = scopeLiterals(client, scope);
  const axes = columns.filter((c) => c.sql === undefined);
  const axisAlias = (name: string) => client.escapeIdentifier(`axis ${name}`);
  const axisValues = axes
    .map((c) => `, (sp.axis_values -> ${client.escapeLiteral(c.name)})::float8 as ${axisAlias(c.name)}`)
    .join('');
  const select = columns
    .map((c) => {
      const expression = c.sql ?? `pt.${axisAlias(c.name)}`;
      // CSV gets true/false rather than Postgres' t/f.
      const value = csv && c.kind === 'boolean' ? `${expression}::text` : expression;
      return `${value} as ${client.escapeIdentifier(c.name)}`;
    })
    .join(', ');
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
    // In a transaction, so a tenant-bound pool names the tenant for the COPY (forTenant) and the
    // timeout ends with it.
    await queryWithin(client, options.silenceMs, 'begin read only');
    await setExportLimits(client, options);
    const stream = client.query(
      copyTo(`copy (${exportQuery(client, scope, columns, true)}) to stdout with (format csv, header)`),
    );
    if (options.silenceMs !== undefined) failWhenSilent(stream, options.silenceMs);
    stream.once(
      'end',
      () =>
        void copyFinished(client, options.silenceMs)
          .then(() => queryWithin(client, options.silenceMs, 'commit'))
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
    const query = <R extends pg.QueryResultRow>(text: string) =>
      queryWithin<R>(client, options.silenceMs, text);
    await query('begin read only');
    await setExportLimits(client, options);
    await query(`declare outcome_export no scroll cursor for ${exportQuery(client, scope, columns, false)}`);
    for (;;) {
      const { rows } = await query<ExportRow>(`fetch forward ${batchSize} from outcome_export`);
      if (rows.length === 0) break;
      yield rows;
      if (rows.length < batchSize) break;
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
