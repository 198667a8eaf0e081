import type pg from 'pg';
import { type OutcomeRecord, outcomeColumns } from './outcome-columns.js';

// One array parameter per column: any number of rows in one statement, far under the 65,535
// bind-parameter limit, and a retried chunk inserts nothing twice (ON CONFLICT DO NOTHING).
const insertSql = `insert into outcomes (point_id, ${outcomeColumns.map((c) => c.column).join(', ')})
select $1::int4, * from unnest(${outcomeColumns.map((c, i) => `$${i + 2}::${c.sqlType}[]`).join(', ')})
on conflict do nothing`;

// The same for outcomes of several points: the point id is one more array, so a chunk spanning
// many small points writes them in one statement rather than one round trip per point.
const insertManySql = `insert into outcomes (point_id, ${outcomeColumns.map((c) => c.column).join(', ')})
select * from unnest($1::int4[], ${outcomeColumns.map((c, i) => `$${i + 2}::${c.sqlType}[]`).join(', ')})
on conflict do nothing`;

/** An outcome as its database row (snake_case columns), e.g. to compare stored rows with the model. */
export function outcomeRow(record: OutcomeRecord): Record<string, number | boolean | null> {
  return Object.fromEntries(outcomeColumns.map((c) => [c.column, c.value(record)]));
}

/** Insert one point's outcomes; returns how many rows were new. */
export async function insertOutcomes(
  client: pg.PoolClient | pg.Client,
  pointId: number,
  records: readonly OutcomeRecord[],
): Promise<number> {
  if (records.length === 0) return 0;
  const params: unknown[] = [pointId, ...outcomeColumns.map((c) => records.map(c.value))];
  const result = await client.query(insertSql, params);
  return result.rowCount ?? 0;
}

/** Insert the outcomes of several points (`pointIds[i]` is the point of `records[i]`); returns how many rows were new. */
export async function insertOutcomesOfPoints(
  client: pg.PoolClient | pg.Client,
  pointIds: readonly number[],
  records: readonly OutcomeRecord[],
): Promise<number> {
  if (records.length === 0) return 0;
  const params: unknown[] = [pointIds, ...outcomeColumns.map((c) => records.map(c.value))];
  const result = await client.query(insertManySql, params);
  return result.rowCount ?? 0;
}
