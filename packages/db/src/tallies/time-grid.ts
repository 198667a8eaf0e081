/**
 * The time grid outcome times are recorded on (docs/results.md, "Recorded times"): the survival
 * times of every stored row and every survival table are multiples of the point's `stepDays`, the
 * model's own step after diagnosis, so exports, curves and the per-sweep tables agree exactly. The
 * kernel's output is not changed; the write path rounds.
 */
import type { OutcomeRecord } from '../outcome-columns.js';

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

/** An outcome with its survival times (os, pfs, mfs and v2's scan-based pfs) on the grid; the rest as the model gave it. */
export function recordedOutcome<R extends OutcomeRecord>(record: R, stepDays: number): R {
  const recorded = {
    ...record,
    osDays: onGrid(record.osDays, stepDays),
    pfsDays: onGrid(record.pfsDays, stepDays),
    mfsDays: onGrid(record.mfsDays, stepDays),
  };
  if ('scanPfsDays' in record) return { ...recorded, scanPfsDays: onGrid(record.scanPfsDays, stepDays) };
  return recorded;
}
