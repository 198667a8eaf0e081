/**
 * The outcome columns, derived from the drizzle table: the COPY/insert writer and the exports take
 * their column lists from here, so a new model field is one column in schema.ts (+ its migration).
 */
import { bestResponses, recistResponses } from '@frontline/contracts';
import type { PatientOutcome, PatientOutcomeV2, SampledParamsV2 } from '@frontline/sim';
import { getTableColumns } from 'drizzle-orm';
import { outcomes } from './schema.js';
import { gridTimeFields } from './tallies/time-grid.js';

/** A patient outcome as a model returns it (MODEL.md §7, docs/model-v2.md §6); the trajectory is not stored. */
export type OutcomeRecord = Omit<PatientOutcome, 'trajectory'> | Omit<PatientOutcomeV2, 'trajectory'>;
type OutcomeRecordV2 = Omit<PatientOutcomeV2, 'trajectory'>;

/** A model's outcome flattened to columns: `sampled.growthRate` → `sampledGrowthRate`. */
type Flat<O extends { sampled: object }> = Omit<O, 'sampled' | 'trajectory'> & {
  [K in keyof O['sampled'] as `sampled${Capitalize<K & string>}`]: O['sampled'][K];
};
type FlatOutcomeV1 = Flat<PatientOutcome>;
type FlatOutcomeV2 = Flat<PatientOutcomeV2>;

/** A column of `outcomes` that a model field fills (all but the point, which the chunk names). */
export type OutcomeField = Exclude<keyof typeof outcomes.$inferSelect, 'pointId'>;
/** The columns only lf-tid@2 fills (null in v1 rows). */
type V2OnlyField = Exclude<keyof FlatOutcomeV2, keyof FlatOutcomeV1>;
type Row = typeof outcomes.$inferSelect;

// Compile-time checks that the table and the models name the same fields: the table holds every
// field of v2 (a superset of v1's) and nothing else, v1's columns are NOT NULL and v2's own are
// nullable (v1 rows leave them null). Any drift makes one of these types non-never and the
// assignment below fails typecheck.
type MissingColumn = Exclude<keyof FlatOutcomeV2, OutcomeField>;
type MissingModelField = Exclude<OutcomeField, keyof FlatOutcomeV2>;
type V1FieldNotInV2 = Exclude<keyof FlatOutcomeV1, keyof FlatOutcomeV2>;
type NullableV1Column = {
  [K in Exclude<OutcomeField, V2OnlyField>]: null extends Row[K] ? K : never;
}[Exclude<OutcomeField, V2OnlyField>];
type NotNullV2Column = { [K in V2OnlyField & OutcomeField]: null extends Row[K] ? never : K }[V2OnlyField &
  OutcomeField];
const tableMatchesModels: [
  MissingColumn,
  MissingModelField,
  V1FieldNotInV2,
  NullableV1Column,
  NotNullV2Column,
] extends [never, never, never, never, never]
  ? true
  : {
      missingColumn: MissingColumn;
      missingModelField: MissingModelField;
      v1FieldNotInV2: V1FieldNotInV2;
      nullableV1Column: NullableV1Column;
      notNullV2Column: NotNullV2Column;
    } = true;
void tableMatchesModels;

export interface OutcomeColumn {
  /** The model's (camelCase) name, also the export's column name. */
  field: OutcomeField;
  /** The database column (snake_case). */
  column: string;
  /** Postgres type, e.g. `double precision`. */
  sqlType: string;
  /** Whether only lf-tid@2 fills it. */
  v2Only: boolean;
  /** Whether it holds a step number of the point's time grid: step × stepDays is the recorded time in days. */
  gridTime: boolean;
  /** The stored value of one outcome (null: a v2 column of a v1 outcome). */
  value: (outcome: OutcomeRecord) => number | boolean | null;
}

/** Stored code of a best response: its position in the vocabulary. */
export const bestResponseCode = (response: PatientOutcome['bestResponse']) => bestResponses.indexOf(response);
/** Stored code of a RECIST best response (v2): its position in `recistResponses`. */
export const recistResponseCode = (response: PatientOutcomeV2['recistBestResponse']) =>
  recistResponses.indexOf(response);

/** An lf-tid@2 outcome (it carries the v2 fields). */
export const isOutcomeV2 = (outcome: OutcomeRecord): outcome is OutcomeRecordV2 =>
  'recistBestResponse' in outcome;

function storedValueOf(field: OutcomeField): OutcomeColumn['value'] {
  if (field === 'bestResponse') return (o) => bestResponseCode(o.bestResponse);
  if (field === 'recistBestResponse')
    return (o) => (isOutcomeV2(o) ? recistResponseCode(o.recistBestResponse) : null);
  if (field.startsWith('sampled')) {
    const name = `${field[7]!.toLowerCase()}${field.slice(8)}` as keyof SampledParamsV2;
    return (o) => (o.sampled as Partial<SampledParamsV2>)[name] ?? null;
  }
  const name = field as Exclude<
    keyof FlatOutcomeV2,
    `sampled${string}` | 'bestResponse' | 'recistBestResponse'
  >;
  return (o) => (o as Partial<Pick<OutcomeRecordV2, typeof name>>)[name] ?? null;
}

/** Every outcome column in table order, after point_id. */
export const outcomeColumns: readonly OutcomeColumn[] = Object.entries(getTableColumns(outcomes))
  .filter(([field]) => field !== 'pointId')
  .map(([field, column]) => ({
    field: field as OutcomeField,
    column: column.name,
    sqlType: column.getSQLType(),
    // The checks above make exactly v2's own columns nullable.
    v2Only: !column.notNull,
    gridTime: (gridTimeFields as readonly string[]).includes(field),
    value: storedValueOf(field as OutcomeField),
  }));
