import { SensitivityInputError } from './sobol-indices.js';

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
