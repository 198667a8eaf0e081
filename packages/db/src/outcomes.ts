import type pg from 'pg';
import { type OutcomeRecord, outcomeColumns } from './outcome-columns.js';
import { recordedOutcome } from './tallies/time-grid.js';

// One array parameter per column: any number of rows in one statement, far under the 65,535
// bind-parameter limit, and a retried chunk inserts nothing twice (ON CONFLICT DO NOTHING).
const insertSql = `insert into outcomes (point_id, ${outcomeColumns.map((c) => c.column).join(', ')})
select $1::int4, * from unnest(${outcomeColumns.map((c, i) => `$${i + 2}::${c.sqlType}[]`).join(', ')})
on conflict do nothing`;

/**
 * An outcome as its database row (snake_case columns, survival times on the point's `stepDays` grid),
 * e.g. to compare stored rows with the model.
 */
export function outcomeRow(record: OutcomeRecord, stepDays: number): Record<string, number | boolean | null> {
  const recorded = recordedOutcome(record, stepDays);
  return Object.fromEntries(outcomeColumns.map((c) => [c.column, c.value(recorded)]));
}

/** Insert one point's outcomes, survival times on its `stepDays` grid; returns how many rows were new. */
export async function insertOutcomes(
  client: pg.PoolClient | pg.Client,
  pointId: number,
  records: readonly OutcomeRecord[],
  stepDays: number,
): Promise<number> {
  if (records.length === 0) return 0;
  const recorded = records.map((r) => recordedOutcome(r, stepDays));
  const params: unknown[] = [pointId, ...outcomeColumns.map((c) => recorded.map(c.value))];
  const result = await client.query(insertSql, params);
  return result.rowCount ?? 0;
}
