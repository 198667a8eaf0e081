/** Reading the Kaplan–Meier step function at arbitrary times (R's `summary(fit, times = t)`). */
import { SurvivalInputError } from './input.js';
import type { SurvivalCurve } from './kaplan-meier.js';

export interface SurvivalAtOptions {
  /**
   * Past the last follow-up time the curve is unknown unless it has already reached 0: by default such
   * times give NaN; `extend: true` carries the last value forward, as R's `summary(..., extend = TRUE)`.
   */
  readonly extend?: boolean;
}

export interface SurvivalEstimate {
  readonly time: number;
  readonly survival: number;
  readonly stdErr: number;
  readonly lower: number;
  readonly upper: number;
}

/** Index of the last event time ≤ t, or -1 (right-continuous step function). */
function rowAtOrBefore(curve: SurvivalCurve, t: number): number {
  let lo = 0;
  let hi = curve.time.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (curve.time[mid]! <= t) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}

function checkTime(t: number, where: string): void {
  if (typeof t !== 'number' || Number.isNaN(t))
    throw new SurvivalInputError(`${where}: time must be a number, got ${t}`);
}

function beyondSupport(curve: SurvivalCurve, t: number, row: number, options: SurvivalAtOptions): boolean {
  const reachedZero = row >= 0 && curve.survival[row] === 0;
  return t > curve.maxTime && !reachedZero && !options.extend;
}

/** S(t): the Kaplan–Meier estimate just after time t. */
export function survivalAt(curve: SurvivalCurve, t: number, options: SurvivalAtOptions = {}): number {
  checkTime(t, 'survivalAt');
  const row = rowAtOrBefore(curve, t);
  if (beyondSupport(curve, t, row, options)) return Number.NaN;
  return row < 0 ? 1 : curve.survival[row]!;
}

/** S(t) with its standard error and confidence limits. */
export function survivalEstimateAt(
  curve: SurvivalCurve,
  t: number,
  options: SurvivalAtOptions = {},
): SurvivalEstimate {
  checkTime(t, 'survivalEstimateAt');
  const row = rowAtOrBefore(curve, t);
  if (beyondSupport(curve, t, row, options)) {
    return { time: t, survival: Number.NaN, stdErr: Number.NaN, lower: Number.NaN, upper: Number.NaN };
  }
  if (row < 0) return { time: t, survival: 1, stdErr: 0, lower: 1, upper: 1 };
  return {
    time: t,
    survival: curve.survival[row]!,
    stdErr: curve.stdErr[row]!,
    lower: curve.lower[row]!,
    upper: curve.upper[row]!,
  };
}
