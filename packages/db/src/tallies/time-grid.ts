/**
 * The time grid outcome times are recorded on (docs/results.md, "Recorded times"): the survival
 * times of every stored row and every survival table are multiples of the point's `stepDays`, the
 * model's own step after diagnosis, so exports, curves and the per-sweep tables agree exactly. The
 * kernel's output is not changed; the write path rounds.
 */
import type { OutcomeRecord } from '../outcome-values.js';

/**
 * A time within this fraction of a step above a grid point is that grid point: kernel times that are
 * a whole number of steps, accumulated in floating point (e.g. 7.500000000001), stay on their step.
 */
export const gridTolerance = 1e-6;

/** The grid index of a time: ceil(days / stepDays), never below 0 (an event is never recorded early). */
export function gridIndex(days: number, stepDays: number): number {
  return Math.max(0, Math.ceil(days / stepDays - gridTolerance));
}

/** The recorded time of a step: index × stepDays (the same product everywhere, so times compare equal). */
export const gridTime = (index: number, stepDays: number): number => index * stepDays;

/** A time as recorded: rounded up to the grid. */
export const onGrid = (days: number, stepDays: number): number =>
  gridTime(gridIndex(days, stepDays), stepDays);

/** The grid of a point: its resolved parameters' `stepDays` (every model has it; points store resolved parameters). */
export function stepDaysOf(params: unknown): number {
  const step = (params as { stepDays?: unknown } | null)?.stepDays;
  if (typeof step !== 'number' || !(step > 0))
    throw new Error(`point parameters carry no stepDays > 0: ${step}`);
  return step;
}

/** The fields recorded on the grid, stored as step numbers (`os_step` …): a step × stepDays is the recorded time. */
export const gridTimeFields = ['osDays', 'pfsDays', 'mfsDays', 'scanPfsDays'] as const;

/**
 * Model outputs that are not inputs, recorded in single precision (stored as `real`; docs/results.md,
 * "Recorded precision"). nadirDay and neutrophilNadirDay stay double: they are step ends (t + dt), not
 * always a whole number of steps in floating point, and the last step may end at the horizon, off the grid.
 */
export const singlePrecisionFields = [
  'nadirCells',
  'leaderFractionAtDiagnosis',
  'leaderFractionAtNadir',
  'leaderFractionAtEnd',
  'metastaticCellsAtDiagnosis',
  'minEffector',
  'neutrophilNadir',
] as const;

/**
 * An outcome as recorded, the one rounding every stored row and every table sees (completeChunk applies
 * it once): survival times (os, pfs, mfs and v2's scan-based pfs) rounded up to the grid, the outputs of
 * `singlePrecisionFields` to single precision (Math.fround, as Postgres' `real` holds them); the rest as
 * the model gave it.
 */
export function recordedOutcome<R extends OutcomeRecord>(record: R, stepDays: number): R {
  return recordOutcomeInPlace({ ...record }, stepDays);
}

/**
 * recordedOutcome without the copy: rounds the outcome itself. For outcomes nothing else holds, as a
 * simulation thread's own (recordChunk), where a copy per patient would cost more than the rounding.
 */
export function recordOutcomeInPlace<R extends OutcomeRecord>(record: R, stepDays: number): R {
  const recorded = record as Record<string, unknown>;
  for (const field of gridTimeFields)
    if (field in record) recorded[field] = onGrid(recorded[field] as number, stepDays);
  for (const field of singlePrecisionFields)
    if (field in record) recorded[field] = Math.fround(recorded[field] as number);
  return record;
}
