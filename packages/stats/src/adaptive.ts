import { kaplanMeier } from './kaplan-meier.js';
import { normalQuantile } from './normal.js';
import type { CountTable } from './pool-counts.js';
import { medianSurvival } from './quantile.js';
import { rmst } from './rmst.js';
import { SensitivityInputError } from './sobol-indices.js';
import { survivalEstimateAt } from './survival-at.js';

export interface CohortRoundState {
  /** 95% CI half-width of the point's metric after the patients so far; NaN when not estimable yet. */
  readonly halfWidth: number;
  /** The half-width asked for. */
  readonly target: number;
  /** Patients simulated at this point so far (0 before the first round). */
  readonly patients: number;
  /** Size of the first round. */
  readonly initial: number;
  /** Most patients the point may use. */
  readonly max: number;
}

export type CohortRoundDecision =
  | { readonly stop: false; readonly add: number; readonly total: number }
  | { readonly stop: true; readonly reason: 'precise' | 'max' };

/**
 * The adaptive-cohort stopping rule, by doubling rounds:
 *
 * 1. Before any patient, run `initial`.
 * 2. After a round, stop if the half-width is ≤ target ('precise'), else stop if `max` is reached
 *    ('max').
 * 3. Otherwise double the cohort (never past `max`): add `min(patients, max − patients)` patients,
 *    the next ones of the same cohort (patient i is the same virtual patient in every round).
 *
 * Doubling keeps the looks at the data few (⌈log2(max / initial)⌉ + 1 at most, 8 for 200 → 20 000),
 * which bounds both the rounds of queue work and the loss of coverage from stopping at the first
 * precise look, and overshoots the patients actually needed by less than a factor 2. A half-width
 * that cannot be computed (NaN: no events yet, median not reached) is never precise. A zero
 * half-width (every patient dead, or none) is precise: survival at 0 or 1 stops after one round.
 */
export function nextCohortRound(state: CohortRoundState): CohortRoundDecision {
  const { halfWidth, target, patients, initial, max } = state;
  if (!(Number.isFinite(target) && target > 0)) {
    throw new SensitivityInputError(`target must be a finite number > 0, got ${target}`);
  }
  if (!Number.isSafeInteger(initial) || initial < 1) {
    throw new SensitivityInputError(`initial must be an integer ≥ 1, got ${initial}`);
  }
  if (!Number.isSafeInteger(max) || max < initial) {
    throw new SensitivityInputError(`max must be an integer ≥ initial (${initial}), got ${max}`);
  }
  if (!Number.isSafeInteger(patients) || patients < 0 || patients > max) {
    throw new SensitivityInputError(`patients must be an integer in [0, max = ${max}], got ${patients}`);
  }
  if (patients === 0) return { stop: false, add: initial, total: initial };
  if (halfWidth < 0) throw new SensitivityInputError(`halfWidth must be ≥ 0 (or NaN), got ${halfWidth}`);
  if (halfWidth <= target) return { stop: true, reason: 'precise' };
  if (patients >= max) return { stop: true, reason: 'max' };
  const add = Math.min(patients, max - patients);
  return { stop: false, add, total: patients + add };
}

/** Which metric an adaptive cohort makes precise: survivalAt at `at`, rmst up to `at` (or the horizon), median. */
export interface PrecisionTarget {
  readonly metric: 'survivalAt' | 'rmst' | 'median';
  readonly at?: number | undefined;
}

const z975 = normalQuantile(0.975);

/**
 * The 95% CI half-width of a point's metric from its count table — the quantity the stopping rule
 * compares with the target:
 * - survivalAt: 1.96 × Greenwood's standard error of S(at) (0 when S is 0 or 1: no patient at risk
 *   changes state);
 * - rmst: 1.96 × the standard error of the restricted mean to `at` (the horizon if absent);
 * - median: half the width of the median's interval (Brookmeyer–Crowley by the KM's log-log band, the
 *   `print` rule); NaN while the median or a limit is not reached.
 * NaN also when the metric is not estimable yet (no outcomes, `at` past the follow-up).
 */
export function precisionHalfWidth(counts: CountTable, target: PrecisionTarget, horizon: number): number {
  if (counts.time.length === 0) return Number.NaN;
  const curve = kaplanMeier(counts);
  if (target.metric === 'survivalAt') {
    const { survival, stdErr } = survivalEstimateAt(curve, target.at ?? horizon);
    if (Number.isNaN(survival)) return Number.NaN;
    return Number.isFinite(stdErr) ? z975 * stdErr : 0;
  }
  if (target.metric === 'rmst') {
    const tau = target.at ?? horizon;
    const survivors = curve.survival[curve.survival.length - 1] !== 0;
    if (tau > curve.maxTime && survivors) return Number.NaN;
    const { stdErr } = rmst(curve, tau);
    return Number.isFinite(stdErr) ? z975 * stdErr : Number.NaN;
  }
  const { median, lower, upper } = medianSurvival(curve, { rule: 'print' });
  if (median === null || lower === null || upper === null) return Number.NaN;
  return (upper - lower) / 2;
}
