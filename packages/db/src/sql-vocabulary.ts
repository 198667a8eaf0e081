/**
 * The vocabularies as SQL literals. Statuses written into SQL text go through these, so a misspelt
 * or retired word fails typecheck instead of matching no row.
 */
import { activeSweepStates, type ChunkStatus, type SweepState } from '@frontline/contracts';
import { getTableColumns, type Table } from 'drizzle-orm';

const literal = (word: string) => `'${word.replaceAll("'", "''")}'`;

export const sweepState = (state: SweepState) => literal(state);
export const chunkStatus = (status: ChunkStatus) => literal(status);

/** `('queued', 'running')`: the states of a sweep that still counts against its tenant's cap. */
export const activeSweepStatesSql = `(${activeSweepStates.map(literal).join(', ')})`;

/**
 * `alias.column as "field"` for every column of a drizzle table: a raw query selecting this list
 * returns rows shaped as the table's `$inferSelect` (pg parses timestamps, jsonb and, see client.ts,
 * int8 to match).
 */
export function selectColumns(table: Table, alias: string): string {
  return Object.entries(getTableColumns(table))
    .map(([field, column]) => `${alias}.${column.name} as "${field}"`)
    .join(', ');
}
