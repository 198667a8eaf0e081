import { SensitivityInputError } from './sobol-indices.js';

/**
 * Above this share of cohort noise, a metric's Sobol indices are visibly biased: with noise of
 * variance σ² independent across points, V grows by σ², so first-order indices shrink by the factor
 * (1 − share) and total indices gain up to `share` in absolute terms. 0.05 is about the width of a
 * typical index interval, so past it the bias is no longer lost in the sampling error.
 */
export const NOISE_SHARE_WARNING_THRESHOLD = 0.05;

export interface CohortNoiseShareInput {
  /** The metric's estimate at each point (e.g. survival at 730 days from that point's cohort). */
  readonly estimates: readonly number[];
  /** The sampling variance of each estimate (e.g. Greenwood's variance; the squared standard error). */
  readonly variances: readonly number[];
}

export interface CohortNoiseShareOptions {
  /** Share above which `warning` is set (default NOISE_SHARE_WARNING_THRESHOLD). */
  readonly threshold?: number;
}

export interface CohortNoiseShare {
  /** Mean within-point sampling variance over the total variance of the estimates. */
  readonly share: number;
  readonly meanWithinVariance: number;
  /** Sample variance (divisor n − 1) of the estimates across points. */
  readonly totalVariance: number;
  /** Set when share > threshold: the indices of this metric are biased by cohort noise. */
  readonly warning?: string;
}

/**
 * The share of a metric's variance across the design that is cohort noise (the finite number of
 * virtual patients per point) rather than the parameters: mean within-point sampling variance
 * divided by the total variance of the per-point estimates. Near 0 the indices describe the model;
 * a large share says to add patients (or use adaptive cohorts) before trusting them. It can exceed 1
 * when the parameters explain almost nothing.
 */
export function cohortNoiseShare(
  input: CohortNoiseShareInput,
  options: CohortNoiseShareOptions = {},
): CohortNoiseShare {
  const { estimates, variances } = input;
  const threshold = options.threshold ?? NOISE_SHARE_WARNING_THRESHOLD;
  if (!Array.isArray(estimates) || !Array.isArray(variances)) {
    throw new SensitivityInputError('estimates and variances must be arrays of numbers');
  }
  const n = estimates.length;
  if (variances.length !== n) {
    throw new SensitivityInputError(
      `estimates and variances must have the same length (got estimates ${n}, variances ${variances.length})`,
    );
  }
  if (n < 2) throw new SensitivityInputError(`need at least 2 points, got ${n}`);
  if (!(threshold >= 0)) throw new SensitivityInputError(`threshold must be ≥ 0, got ${threshold}`);
  estimates.forEach((x, i) => {
    if (!Number.isFinite(x))
      throw new SensitivityInputError(`estimates[${i}] is ${x}; must be a finite number`);
  });
  variances.forEach((v, i) => {
    if (!(Number.isFinite(v) && v >= 0)) {
      throw new SensitivityInputError(`variances[${i}] is ${v}; must be a finite number ≥ 0`);
    }
  });

  const mean = estimates.reduce((sum, x) => sum + x, 0) / n;
  const totalVariance = estimates.reduce((sum, x) => sum + (x - mean) ** 2, 0) / (n - 1);
  const meanWithinVariance = variances.reduce((sum, v) => sum + v, 0) / n;
  if (!(totalVariance > 0)) {
    throw new SensitivityInputError(
      `the estimates have zero variance across the ${n} points (all ${estimates[0]}); there is no variance to share out`,
    );
  }
  const share = meanWithinVariance / totalVariance;
  if (share <= threshold) return { share, meanWithinVariance, totalVariance };
  const percent = (x: number) => `${(100 * x).toFixed(1)}%`;
  return {
    share,
    meanWithinVariance,
    totalVariance,
    warning:
      `cohort noise is ${percent(share)} of this metric's variance across points (above ${percent(threshold)}): ` +
      'first-order indices are biased low and total indices high; add patients per point',
  };
}
