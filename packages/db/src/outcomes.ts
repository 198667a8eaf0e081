import type pg from 'pg';
import { type OutcomeRecord, outcomeColumns } from './outcome-columns.js';
import { recordedOutcome } from './tallies/time-grid.js';

// One array parameter per column: any number of rows in one statement, far under the 65,535
// bind-parameter limit, and a retried chunk inserts nothing twice (ON CONFLICT DO NOTHING).
const insertSql = `insert into outcomes (point_id, ${outcomeColumns.map((c) => c.column).join(', ')})
select * from unnest($1::int4[], ${outcomeColumns.map((c, i) => `$${i + 2}::${c.sqlType}[]`).join(', ')})
on conflict do nothing`;

/**
 * An outcome as its database row (snake_case columns, survival times on the point's `stepDays` grid),
 * e.g. to compare stored rows with the model.
 */
export function outcomeRow(record: OutcomeRecord, stepDays: number): Record<string, number | boolean | null> {
  const recorded = recordedOutcome(record, stepDays);
  return Object.fromEntries(outcomeColumns.map((c) => [c.column, c.value(recorded)]));
}

/** One point's outcomes to store, its survival times recorded on its `stepDays` grid. */
export interface PointOutcomes {
  pointId: number;
  stepDays: number;
  records: readonly OutcomeRecord[];
}

/**
 * Insert the outcomes of several points (a chunk's segments) in one statement, survival times on each
 * point's grid; returns how many rows were new.
 */
export async function insertOutcomesOfPoints(
  client: pg.PoolClient | pg.Client,
  points: readonly PointOutcomes[],
): Promise<number> {
  const pointIds: number[] = [];
  const recorded: OutcomeRecord[] = [];
  for (const { pointId, stepDays, records } of points)
    for (const record of records) {
      pointIds.push(pointId);
      recorded.push(recordedOutcome(record, stepDays));
    }
  if (recorded.length === 0) return 0;
  const result = await client.query(insertSql, [
    pointIds,
    ...outcomeColumns.map((c) => recorded.map(c.value)),
  ]);
  return result.rowCount ?? 0;
}
