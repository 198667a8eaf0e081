import { seededUniform } from './random.js';
/**
 * Variance-based (Sobol) sensitivity indices from the model outputs of a Saltelli design, with
 * bootstrap percentile intervals. Pure and deterministic: the bootstrap draws from a seeded PRNG.
 */

/** Thrown for input the estimators cannot use; the message says which field and which rule. */
export class SensitivityInputError extends Error {
  override readonly name = 'SensitivityInputError';
}

/** f(A), f(B) and ab[i] = f(AB_i): the model output at each base row j of each matrix. */
export interface SaltelliOutputs {
  readonly a: readonly number[];
  readonly b: readonly number[];
  readonly ab: readonly (readonly number[])[];
}

export interface SobolIndicesOptions {
  /** Bootstrap replicates for the intervals (default 1000). */
  readonly bootstrap?: number;
  /** Seed of the bootstrap resampling, any non-negative safe integer (default 0). */
  readonly seed?: number;
  /** Two-sided coverage of the percentile intervals, in (0, 1) (default 0.95). */
  readonly level?: number;
}

/** A point estimate and its bootstrap percentile interval. */
export interface IndexEstimate {
  readonly value: number;
  readonly lower: number;
  readonly upper: number;
}

export interface SobolIndices {
  /** First-order index S_i of each factor i (Saltelli et al. 2010). */
  readonly first: IndexEstimate[];
  /** Total-effect index ST_i of each factor i (Jansen 1999). */
  readonly total: IndexEstimate[];
  /** V: the variance of the pooled f(A), f(B), the denominator of every index. */
  readonly variance: number;
  /**
   * Bootstrap replicates the intervals rest on: those whose resampled rows had zero variance (only
   * likely with a handful of rows) estimate nothing and are left out.
   */
  readonly replicates: number;
}

export const SOBOL_MIN_ROWS = 2;
const DEFAULT_BOOTSTRAP = 1000;
const DEFAULT_LEVEL = 0.95;

/**
 * First-order and total Sobol indices of each factor from a Saltelli design's outputs:
 *
 *   V    = variance of the 2N values f(A) ∪ f(B) (divisor 2N)
 *   S_i  = mean_j f(B)_j · (f(AB_i)_j − f(A)_j) / V          Saltelli et al. (2010), Table 2 (b)
 *   ST_i = mean_j (f(A)_j − f(AB_i)_j)² / 2 / V              Jansen (1999), Saltelli et al. (2010) (f)
 *
 * Intervals are bootstrap percentile intervals: each replicate redraws N base rows j with
 * replacement (keeping each row's f(A), f(B), f(AB_i) together, as the estimators pair them) and
 * recomputes V, S_i and ST_i. Same input and seed, same intervals.
 */
export function sobolIndices(outputs: SaltelliOutputs, options: SobolIndicesOptions = {}): SobolIndices {
  const { a, b, ab } = checkOutputs(outputs);
  const bootstrap = options.bootstrap ?? DEFAULT_BOOTSTRAP;
  const seed = options.seed ?? 0;
  const level = options.level ?? DEFAULT_LEVEL;
  if (!Number.isSafeInteger(bootstrap) || bootstrap < 1) {
    throw new SensitivityInputError(`bootstrap must be an integer ≥ 1, got ${bootstrap}`);
  }
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new SensitivityInputError(`seed must be a non-negative safe integer, got ${seed}`);
  }
  if (!(level > 0 && level < 1)) throw new SensitivityInputError(`level must be in (0, 1), got ${level}`);

  const n = a.length;
  const identity = Int32Array.from({ length: n }, (_, j) => j);
  const estimate = estimateOnRows(a, b, ab, identity);
  if (estimate === undefined) {
    throw new SensitivityInputError(
      `f(A) and f(B) have zero variance (all ${2 * n} values are ${a[0]}); no factor explains any variance`,
    );
  }

  const random = seededUniform(seed);
  const firstReplicates: number[][] = ab.map(() => []);
  const totalReplicates: number[][] = ab.map(() => []);
  const rows = new Int32Array(n);
  for (let r = 0; r < bootstrap; r++) {
    for (let j = 0; j < n; j++) rows[j] = Math.min(n - 1, Math.floor(random() * n));
    const replicate = estimateOnRows(a, b, ab, rows);
    if (replicate === undefined) continue;
    replicate.first.forEach((s, i) => {
      firstReplicates[i]!.push(s);
    });
    replicate.total.forEach((s, i) => {
      totalReplicates[i]!.push(s);
    });
  }
  const replicates = firstReplicates[0]!.length;
  const interval = (value: number, values: number[]): IndexEstimate => {
    if (values.length === 0) return { value, lower: Number.NaN, upper: Number.NaN };
    values.sort((x, y) => x - y);
    return {
      value,
      lower: sortedQuantile(values, (1 - level) / 2),
      upper: sortedQuantile(values, (1 + level) / 2),
    };
  };
  return {
    first: estimate.first.map((value, i) => interval(value, firstReplicates[i]!)),
    total: estimate.total.map((value, i) => interval(value, totalReplicates[i]!)),
    variance: estimate.variance,
    replicates,
  };
}

interface RowEstimate {
  first: number[];
  total: number[];
  variance: number;
}

/** The estimators on the base rows listed in `rows` (repeats allowed); undefined when V = 0. */
function estimateOnRows(
  a: readonly number[],
  b: readonly number[],
  ab: readonly (readonly number[])[],
  rows: Int32Array,
): RowEstimate | undefined {
  const n = rows.length;
  let sum = 0;
  for (const j of rows) sum += a[j]! + b[j]!;
  const mean = sum / (2 * n);
  let squares = 0;
  for (const j of rows) squares += (a[j]! - mean) ** 2 + (b[j]! - mean) ** 2;
  const variance = squares / (2 * n);
  // Relative to the outputs' scale: rounding leaves ~1e-32·mean² where all values are equal.
  if (!(variance > Number.EPSILON ** 2 * Math.max(1, mean * mean))) return undefined;
  const first: number[] = [];
  const total: number[] = [];
  for (const fab of ab) {
    let firstSum = 0;
    let totalSum = 0;
    for (const j of rows) {
      const fa = a[j]!;
      const fabj = fab[j]!;
      firstSum += b[j]! * (fabj - fa);
      totalSum += (fa - fabj) ** 2;
    }
    first.push(firstSum / n / variance);
    total.push(totalSum / n / 2 / variance);
  }
  return { first, total, variance };
}

function checkOutputs(outputs: SaltelliOutputs): SaltelliOutputs {
  if (outputs === null || typeof outputs !== 'object') {
    throw new SensitivityInputError('outputs must be an object { a, b, ab }');
  }
  const { a, b, ab } = outputs;
  if (!Array.isArray(a)) throw new SensitivityInputError('a (f(A)) must be an array of numbers');
  if (!Array.isArray(b)) throw new SensitivityInputError('b (f(B)) must be an array of numbers');
  if (!Array.isArray(ab) || ab.length === 0) {
    throw new SensitivityInputError('ab must be a non-empty array with one array f(AB_i) per factor i');
  }
  const n = a.length;
  if (n < SOBOL_MIN_ROWS) {
    throw new SensitivityInputError(`need at least ${SOBOL_MIN_ROWS} base rows, got ${n} in a (f(A))`);
  }
  if (b.length !== n) {
    throw new SensitivityInputError(`a and b must have the same length (got a ${n}, b ${b.length})`);
  }
  ab.forEach((fab, i) => {
    if (!Array.isArray(fab)) throw new SensitivityInputError(`ab[${i}] must be an array of numbers`);
    if (fab.length !== n) {
      throw new SensitivityInputError(
        `ab[${i}] must have the length of a (got ab[${i}] ${fab.length}, a ${n})`,
      );
    }
  });
  const checkFinite = (values: readonly number[], name: string) => {
    values.forEach((x, j) => {
      if (typeof x !== 'number' || !Number.isFinite(x)) {
        throw new SensitivityInputError(`${name}[${j}] is ${String(x)}; outputs must be finite numbers`);
      }
    });
  };
  checkFinite(a, 'a');
  checkFinite(b, 'b');
  ab.forEach((fab, i) => {
    checkFinite(fab, `ab[${i}]`);
  });
  return outputs;
}

/** Quantile of sorted values by linear interpolation between order statistics (R type 7). */
function sortedQuantile(sorted: readonly number[], p: number): number {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}
