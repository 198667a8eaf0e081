/**
 * The outcome columns, derived from the drizzle table: the COPY/insert writer and the exports take
 * their column lists from here, so a new model field is one column in schema.ts (+ its migration).
 */
import type { PatientOutcome, PatientOutcomeV2 } from '@frontline/sim';
import { getTableColumns } from 'drizzle-orm';
import { type Flat, type OutcomeField, type StoredValue, storedValueOf } from './outcome-values.js';
import { outcomes } from './schema.js';
import { gridTimeFields } from './tallies/time-grid.js';

export { bestResponseCode, type OutcomeRecord } from './outcome-values.js';

type FlatOutcomeV1 = Flat<PatientOutcome>;
type FlatOutcomeV2 = Flat<PatientOutcomeV2>;

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
  value: StoredValue;
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
