import type pg from 'pg';
import { type OutcomeColumn, type OutcomeRecord, outcomeColumns } from './outcome-columns.js';
import type { OutcomeRows } from './tallies/record-chunk.js';
import { gridIndex, recordedOutcome } from './tallies/time-grid.js';

// One array parameter per column: any number of rows in one statement, far under the 65,535
// bind-parameter limit, and a retried chunk inserts nothing twice (ON CONFLICT DO NOTHING).
const insertSql = `insert into outcomes (point_id, ${outcomeColumns.map((c) => c.column).join(', ')})
select * from unnest($1::int4[], ${outcomeColumns.map((c, i) => `$${i + 2}::${c.sqlType}[]`).join(', ')})
on conflict do nothing`;

/** A column's stored value of a recorded outcome: a survival time as its step number on the point's grid. */
function storedValue(column: OutcomeColumn, recorded: OutcomeRecord, stepDays: number) {
  const value = column.value(recorded);
  return column.gridTime && value !== null ? gridIndex(value as number, stepDays) : value;
}

/**
 * A model's outcome as its database row (snake_case columns, survival times as step numbers of the point's
 * `stepDays` grid, single-precision outputs rounded), e.g. to compare stored rows with the model.
 */
export function outcomeRow(record: OutcomeRecord, stepDays: number): Record<string, number | boolean | null> {
  const recorded = recordedOutcome(record, stepDays);
  return Object.fromEntries(outcomeColumns.map((c) => [c.column, storedValue(c, recorded, stepDays)]));
}

/**
 * Insert a chunk's rows (recordChunk's column literals, any number of points) in one statement; returns how
 * many were new. Rounds nothing: single-precision values arrive rounded (recordedOutcome), so the ::real
 * cast keeps them as they are.
 */
export async function insertOutcomeRows(client: pg.ClientBase, rows: OutcomeRows): Promise<number> {
  if (rows.count === 0) return 0;
  if (rows.columns.length !== outcomeColumns.length)
    throw new Error(
      `${rows.columns.length} outcome columns recorded; the table has ${outcomeColumns.length}`,
    );
  const result = await client.query(insertSql, [rows.pointIds, ...rows.columns]);
  return result.rowCount ?? 0;
}
