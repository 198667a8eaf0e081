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
 * R's `approx(x, 1:n, v, method = "constant", f = 1)` for a quantile search: drop NA pairs, order by x
 * (tied x average their indices), and take the index at the first x ≥ v; null outside [min x, max x].
 * Returns a 0-based index.
 */
function approxIndex(y: readonly number[], shift: number, v: number): number | null {
  const points: { x: number; index: number }[] = [];
  for (let i = 0; i < y.length; i++) {
    const value = y[i]!;
    if (!Number.isNaN(value)) points.push({ x: value + shift, index: i + 1 });
  }
  points.sort((a, b) => a.x - b.x);
  if (points.length === 0 || v < points[0]!.x || v > points[points.length - 1]!.x) return null;
  let start = 0;
  while (start < points.length) {
    let end = start;
    let indexSum = 0;
    while (end < points.length && points[end]!.x === points[start]!.x) indexSum += points[end++]!.index;
    if (points[start]!.x >= v) return Math.trunc(indexSum / (end - start)) - 1; // R truncates a fractional index
    start = end;
  }
  return null;
}

/** R's `findq` (survival:::findq) for one probability p on a CDF-like curve y(x). */
function findQuantile(x: readonly number[], y: readonly number[], p: number, xmax: number): number | null {
  let maxY = Number.NEGATIVE_INFINITY;
  for (const value of y) if (!Number.isNaN(value) && value > maxY) maxY = value;
  if (maxY < p) return null;

  // Censor-only rows repeat the previous value: keep each value's first occurrence.
  const seen = new Set<number>();
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i < y.length; i++) {
    if (seen.has(y[i]!)) continue;
    seen.add(y[i]!);
    xs.push(x[i]!);
    ys.push(y[i]!);
  }
  const first = approxIndex(ys, TIME_TOLERANCE, p);
  const second = approxIndex(ys, -TIME_TOLERANCE, p);
  let quantile = first === null || second === null ? null : (xs[first]! + xs[second]!) / 2;
  if (p === 0) quantile = xs[0]!;
  const last = ys[ys.length - 1]!;
  if (!Number.isNaN(last) && Math.abs(p - last) < TIME_TOLERANCE) {
    quantile = first === null ? null : (xs[first]! + xmax) / 2;
  }
  return quantile;
}

/** print.survfit's `minmin`: first time the curve is ≤ 0.5 (NA skipped), midpoint over an exact 0.5 flat. */
function firstAtOrBelowHalf(x: readonly number[], y: readonly number[]): number | null {
  const keptX: number[] = [];
  const keptY: number[] = [];
  for (let i = 0; i < y.length; i++) {
    if (!Number.isNaN(y[i]!) && y[i]! < 0.5 + TIME_TOLERANCE) {
      keptX.push(x[i]!);
      keptY.push(y[i]!);
    }
  }
  if (keptY.length === 0) return null;
  const y1 = keptY[0]!;
  if (Math.abs(y1 - 0.5) < TIME_TOLERANCE) {
    const drop = keptY.findIndex((value) => value < y1);
    if (drop >= 0) return (keptX[0]! + keptX[drop]!) / 2;
  }
  return keptX[0]!;
}

/** As R's `quantile(fit, p)`: p is the probability of having had the event (0.5 → median). */
export function survivalQuantile(curve: SurvivalCurve, p: number): SurvivalQuantile {
  if (!(p >= 0 && p <= 1)) throw new SurvivalInputError(`survivalQuantile: p must be in [0, 1], got ${p}`);
  const x = [0, ...curve.time];
  const cdf = (values: readonly number[]): number[] => [0, ...values.map((s) => 1 - s)];
  return {
    quantile: findQuantile(x, cdf(curve.survival), p, curve.maxTime),
    // The lower band reaches p first, so it bounds the quantile from below.
    lower: findQuantile(x, cdf(curve.lower), p, curve.maxTime),
    upper: findQuantile(x, cdf(curve.upper), p, curve.maxTime),
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
