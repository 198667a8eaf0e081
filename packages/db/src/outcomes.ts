import type pg from 'pg';
import { type OutcomeColumn, type OutcomeRecord, outcomeColumns } from './outcome-columns.js';
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

/** One point's outcomes to store, already recorded (recordedOutcome) on its `stepDays` grid. */
export interface PointOutcomes {
  pointId: number;
  stepDays: number;
  records: readonly OutcomeRecord[];
}

/**
 * Insert the recorded outcomes of several points (a chunk's segments) in one statement, survival times as
 * step numbers of each point's grid; returns how many rows were new. Rounds nothing: single-precision
 * values arrive rounded (recordedOutcome), so the ::real cast keeps them as they are.
 */
export async function insertOutcomesOfPoints(
  client: pg.PoolClient | pg.Client,
  points: readonly PointOutcomes[],
): Promise<number> {
  const pointIds: number[] = [];
  const values: (number | boolean | null)[][] = outcomeColumns.map(() => []);
  for (const { pointId, stepDays, records } of points)
    for (const record of records) {
      pointIds.push(pointId);
      for (const [i, c] of outcomeColumns.entries()) values[i]!.push(storedValue(c, record, stepDays));
    }
  if (pointIds.length === 0) return 0;
  const result = await client.query(insertSql, [pointIds, ...values]);
  return result.rowCount ?? 0;
}
