/**
 * A model's outcome and the value each outcome column stores of it. Pure (no drizzle, no pg): the
 * simulation threads record their chunk with it. The columns themselves (names, SQL types, table order)
 * come from the drizzle table, in outcome-columns.ts.
 */
import { bestResponses, recistResponses } from '@frontline/contracts';
import type { PatientOutcome, PatientOutcomeV2, SampledParamsV2 } from '@frontline/sim';
import type { outcomes } from './schema.js';

/** A patient outcome as a model returns it (MODEL.md §7, docs/model-v2.md §6); the trajectory is not stored. */
export type OutcomeRecord = Omit<PatientOutcome, 'trajectory'> | Omit<PatientOutcomeV2, 'trajectory'>;
export type OutcomeRecordV2 = Omit<PatientOutcomeV2, 'trajectory'>;

/** A model's outcome flattened to columns: `sampled.growthRate` → `sampledGrowthRate`. */
export type Flat<O extends { sampled: object }> = Omit<O, 'sampled' | 'trajectory'> & {
  [K in keyof O['sampled'] as `sampled${Capitalize<K & string>}`]: O['sampled'][K];
};

/** A column of `outcomes` that a model field fills (all but the point, which the chunk names). */
export type OutcomeField = Exclude<keyof typeof outcomes.$inferSelect, 'pointId'>;

/** The stored value of one outcome in a column (null: a v2 column of a v1 outcome). */
export type StoredValue = (outcome: OutcomeRecord) => number | boolean | null;

/** Stored code of a best response: its position in the vocabulary. */
export const bestResponseCode = (response: PatientOutcome['bestResponse']) => bestResponses.indexOf(response);
/** Stored code of a RECIST best response (v2): its position in `recistResponses`. */
export const recistResponseCode = (response: PatientOutcomeV2['recistBestResponse']) =>
  recistResponses.indexOf(response);

/** An lf-tid@2 outcome (it carries the v2 fields). */
export const isOutcomeV2 = (outcome: OutcomeRecord): outcome is OutcomeRecordV2 =>
  'recistBestResponse' in outcome;

/** How a column's value is read off an outcome (before the time grid: see recordedOutcome). */
export function storedValueOf(field: OutcomeField): StoredValue {
  if (field === 'bestResponse') return (o) => bestResponseCode(o.bestResponse);
  if (field === 'recistBestResponse')
    return (o) => (isOutcomeV2(o) ? recistResponseCode(o.recistBestResponse) : null);
  if (field.startsWith('sampled')) {
    const name = `${field[7]!.toLowerCase()}${field.slice(8)}` as keyof SampledParamsV2;
    return (o) => (o.sampled as Partial<SampledParamsV2>)[name] ?? null;
  }
  const name = field as Exclude<
    keyof Flat<PatientOutcomeV2>,
    `sampled${string}` | 'bestResponse' | 'recistBestResponse'
  >;
  return (o) => (o as Partial<Pick<OutcomeRecordV2, typeof name>>)[name] ?? null;
}
