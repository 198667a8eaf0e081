/**
 * The outcome columns, derived from the drizzle table: the COPY/insert writer and the exports take
 * their column lists from here, so a new model field is one column in schema.ts (+ its migration).
 */
import { bestResponses } from '@frontline/contracts';
import type { PatientOutcome, SampledParams } from '@frontline/sim';
import { getTableColumns } from 'drizzle-orm';
import { outcomes } from './schema.js';

/** A patient outcome as the model returns it (MODEL.md §7 field names); the trajectory is not stored. */
export type OutcomeRecord = Omit<PatientOutcome, 'trajectory'>;

/** The model's outcome flattened to columns: `sampled.growthRate` → `sampledGrowthRate`. */
type FlatOutcome = Omit<OutcomeRecord, 'sampled'> & {
  [K in keyof SampledParams as `sampled${Capitalize<K & string>}`]: SampledParams[K];
};

/** A column of `outcomes` that a model field fills (all but the point, which the chunk names). */
export type OutcomeField = Exclude<keyof typeof outcomes.$inferSelect, 'pointId'>;

// Compile-time check that the table and the model name the same fields: a field missing on either
// side makes one of these types non-never and the assignment below fails typecheck.
type MissingColumn = Exclude<keyof FlatOutcome, OutcomeField>;
type MissingModelField = Exclude<OutcomeField, keyof FlatOutcome>;
const tableMatchesModel: [MissingColumn, MissingModelField] extends [never, never]
  ? true
  : { missingColumn: MissingColumn; missingModelField: MissingModelField } = true;
void tableMatchesModel;

export interface OutcomeColumn {
  /** The model's (camelCase) name, also the export's column name. */
  field: OutcomeField;
  /** The database column (snake_case). */
  column: string;
  /** Postgres type, e.g. `double precision`. */
  sqlType: string;
  /** The stored value of one outcome. */
  value: (outcome: OutcomeRecord) => number | boolean;
}

/** Stored code of a best response: its position in the vocabulary. */
export const bestResponseCode = (response: OutcomeRecord['bestResponse']) => bestResponses.indexOf(response);

function storedValueOf(field: OutcomeField): OutcomeColumn['value'] {
  if (field === 'bestResponse') return (o) => bestResponseCode(o.bestResponse);
  if (field.startsWith('sampled')) {
    const name = `${field[7]!.toLowerCase()}${field.slice(8)}` as keyof SampledParams;
    return (o) => o.sampled[name];
  }
  return (o) => o[field as Exclude<OutcomeField, 'bestResponse' | `sampled${string}`>];
}

/** Every outcome column in table order, after point_id. */
export const outcomeColumns: readonly OutcomeColumn[] = Object.entries(getTableColumns(outcomes))
  .filter(([field]) => field !== 'pointId')
  .map(([field, column]) => ({
    field: field as OutcomeField,
    column: column.name,
    sqlType: column.getSQLType(),
    value: storedValueOf(field as OutcomeField),
  }));
