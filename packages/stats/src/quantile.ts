/**
 * Quantiles of survival time (the median above all) with Brookmeyer–Crowley style limits read off the
 * pointwise confidence band, exactly as R does it. R has two slightly different rules:
 * - `quantile.survfit` (default here): a flat stretch of the curve at exactly p gives the midpoint of the
 *   stretch, running to the last follow-up time if the flat is at the end; band values are matched through
 *   `approx()`, which orders them by value (this matters when the upper band is not monotone).
 * - `print.survfit` / `summary(fit)$table` ("print"): the first time each curve is ≤ 0.5; a flat at 0.5
 *   that never drops again gives its start rather than a midpoint.
 */
import { SurvivalInputError } from './input.js';
import type { SurvivalCurve } from './kaplan-meier.js';
import { TIME_TOLERANCE } from './survival-table.js';

export type QuantileRule = 'quantile' | 'print';

export interface SurvivalQuantile {
  /** Time by which a fraction p has had the event; null where the curve never gets there. */
  readonly quantile: number | null;
  readonly lower: number | null;
  readonly upper: number | null;
}

export interface MedianSurvival {
  readonly median: number | null;
  readonly lower: number | null;
  readonly upper: number | null;
}

export interface MedianOptions {
  readonly rule?: QuantileRule;
}

/**
 * R's `approx(x, 1:n, v, method = "constant", f = 1)` for a quantile search, with x = y + shift over the kept
 * points: NA pairs are dropped, x is ordered (tied x average their positions, which R then truncates) and
 * the position of the smallest x ≥ v is returned; null when v lies outside [min x, max x]. A linear scan
 * finds the same point as sorting would, keeping the median linear in the number of event times.
 */
function approxPosition(
  y: Float64Array,
  kept: Int32Array,
  count: number,
  shift: number,
  v: number,
): number | null {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let best = Number.POSITIVE_INFINITY; // smallest x ≥ v
  let positionSum = 0;
  let ties = 0;
  for (let k = 0; k < count; k++) {
    const x = y[kept[k]!]! + shift;
    if (Number.isNaN(x)) continue;
    if (x < min) min = x;
    if (x > max) max = x;
    if (x >= v) {
      if (x < best) {
        best = x;
        positionSum = k + 1;
        ties = 1;
      } else if (x === best) {
        positionSum += k + 1;
        ties++;
      }
    }
  }
  if (ties === 0 || v < min || v > max) return null;
  return Math.trunc(positionSum / ties) - 1;
}

/**
 * R's `duplicated()` filter in findq: the indices of the first point with each y value (censor-only times
 * repeat the previous value; NA equals NA). A value above everything before it is new and one equal to the
 * running maximum is a repeat, so only values below the maximum (the non-monotone tail of an upper band)
 * need a hash lookup, and the set is built only when the first such value appears.
 */
function firstOccurrences(y: Float64Array): { kept: Int32Array; count: number } {
  const kept = new Int32Array(y.length);
  let count = 0;
  let max = Number.NEGATIVE_INFINITY;
  let sawNaN = false;
  let seen: Set<number> | null = null;
  for (let i = 0; i < y.length; i++) {
    const value = y[i]!;
    let repeated: boolean;
    if (Number.isNaN(value)) {
      repeated = sawNaN;
      sawNaN = true;
    } else if (value > max) {
      repeated = false;
      max = value;
    } else if (value === max) {
      repeated = true;
    } else {
      if (seen === null) {
        seen = new Set<number>();
        for (let k = 0; k < count; k++) if (!Number.isNaN(y[kept[k]!]!)) seen.add(y[kept[k]!]!);
      }
      repeated = seen.has(value);
    }
    if (!repeated) {
      kept[count++] = i;
      if (seen !== null && !Number.isNaN(value)) seen.add(value);
    }
  }
  return { kept, count };
}

/**
 * R's `findq` (survival:::findq) for one probability p, on the CDF-like curve quantile.survfit builds:
 * x = (0, event times), y = (0, 1 − band). xmax is the last follow-up time.
 */
function findQuantile(
  times: readonly number[],
  band: readonly number[],
  p: number,
  xmax: number,
): number | null {
  const y = new Float64Array(band.length + 1);
  let maxY = 0;
  for (let i = 0; i < band.length; i++) {
    const value = 1 - band[i]!;
    y[i + 1] = value;
    if (value > maxY) maxY = value;
  }
  if (maxY < p) return null;
  const xAt = (i: number): number => (i === 0 ? 0 : times[i - 1]!);

  const { kept, count } = firstOccurrences(y);
  const first = approxPosition(y, kept, count, TIME_TOLERANCE, p);
  const second = approxPosition(y, kept, count, -TIME_TOLERANCE, p);
  let quantile = first === null || second === null ? null : (xAt(kept[first]!) + xAt(kept[second]!)) / 2;
  if (p === 0) quantile = 0;
  // A flat exactly at p at the end of the curve runs to the last follow-up time.
  const last = y[kept[count - 1]!]!;
  if (!Number.isNaN(last) && Math.abs(p - last) < TIME_TOLERANCE) {
    quantile = first === null ? null : (xAt(kept[first]!) + xmax) / 2;
  }
  return quantile;
}

/** print.survfit's `minmin`: first time the curve is ≤ 0.5 (NA skipped), midpoint over an exact 0.5 flat. */
function firstAtOrBelowHalf(x: readonly number[], y: readonly number[]): number | null {
  let first = -1;
  for (let i = 0; i < y.length && first < 0; i++) if (y[i]! < 0.5 + TIME_TOLERANCE) first = i; // NaN fails
  if (first < 0) return null;
  const level = y[first]!;
  if (Math.abs(level - 0.5) < TIME_TOLERANCE) {
    for (let j = first + 1; j < y.length; j++) if (y[j]! < level) return (x[first]! + x[j]!) / 2;
  }
  return x[first]!;
}

/** As R's `quantile(fit, p)`: p is the probability of having had the event (0.5 → median). */
export function survivalQuantile(curve: SurvivalCurve, p: number): SurvivalQuantile {
  if (!(p >= 0 && p <= 1)) throw new SurvivalInputError(`survivalQuantile: p must be in [0, 1], got ${p}`);
  return {
    quantile: findQuantile(curve.time, curve.survival, p, curve.maxTime),
    // The lower band reaches p first, so it bounds the quantile from below.
    lower: findQuantile(curve.time, curve.lower, p, curve.maxTime),
    upper: findQuantile(curve.time, curve.upper, p, curve.maxTime),
  };
}

/** Median survival and its confidence interval; null where undefined (e.g. the curve never reaches 0.5). */
export function medianSurvival(curve: SurvivalCurve, options: MedianOptions = {}): MedianSurvival {
  const rule = options.rule ?? 'quantile';
  if (rule === 'print') {
    return {
      median: firstAtOrBelowHalf(curve.time, curve.survival),
      lower: firstAtOrBelowHalf(curve.time, curve.lower),
      upper: firstAtOrBelowHalf(curve.time, curve.upper),
    };
  }
  const { quantile, lower, upper } = survivalQuantile(curve, 0.5);
  return { median: quantile, lower, upper };
}
