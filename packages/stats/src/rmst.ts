/**
 * Restricted mean survival time: the area under the Kaplan–Meier curve from 0 to tau, with its standard
 * error, as R's `print(fit, rmean = tau)` (survival:::survmean). Past the last follow-up time the last value
 * of S is carried to tau, as R does.
 */
import { SurvivalInputError } from './input.js';
import type { SurvivalCurve } from './kaplan-meier.js';

export interface RestrictedMean {
  readonly tau: number;
  readonly rmst: number;
  /** √(Σ_j A_j² d_j / (n_j (n_j − d_j))), A_j the area under S from t_j to tau; terms with n_j = d_j count 0. */
  readonly stdErr: number;
}

export function rmst(curve: SurvivalCurve, tau: number): RestrictedMean {
  if (typeof tau !== 'number' || !(tau >= 0 && tau < Number.POSITIVE_INFINITY)) {
    throw new SurvivalInputError(`rmst: tau must be a finite number ≥ 0, got ${tau}`);
  }
  // Rectangles under the step function: [0, t_1) at height 1, then [t_j, t_{j+1}) at S(t_j), the last up to tau.
  let kept = 0;
  while (kept < curve.time.length && curve.time[kept]! <= tau) kept++;
  const areaAfter = new Array<number>(kept); // area from t_j to tau
  let area = 0;
  for (let j = kept - 1; j >= 0; j--) {
    const next = j + 1 < kept ? curve.time[j + 1]! : tau;
    area += (next - curve.time[j]!) * curve.survival[j]!;
    areaAfter[j] = area;
  }
  const first = kept > 0 ? curve.time[0]! : tau;
  const mean = first + area;

  let variance = 0;
  for (let j = 0; j < kept; j++) {
    const n = curve.nRisk[j]!;
    const d = curve.nEvent[j]!;
    if (n === d) continue;
    variance += (areaAfter[j]! * areaAfter[j]! * d) / (n * (n - d));
  }
  return { tau, rmst: mean, stdErr: Math.sqrt(variance) };
}
