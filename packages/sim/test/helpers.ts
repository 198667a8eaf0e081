import { type ModelParams, type PatientOutcome, resolveParams, simulatePatient } from '../src/index.js';

/** All six σ set to 0: every patient is the population median. */
export const NO_SPREAD = {
  growthRateSigma: 0,
  diagnosisCellsSigma: 0,
  emtPlasticitySigma: 0,
  eliminationRateSigma: 0,
  maxDrugKillSigma: 0,
  immuneKillSigma: 0,
} as const;

export function cohort(
  params: ModelParams | Record<string, unknown>,
  n: number,
  cohortSeed = 1,
  first = 0,
): PatientOutcome[] {
  const p = resolveParams(params);
  const out: PatientOutcome[] = [];
  for (let i = first; i < first + n; i++) out.push(simulatePatient(p, { cohortSeed, patientIndex: i }));
  return out;
}

/** Fraction alive at the horizon (= Kaplan–Meier OS at t_max: the only censoring is administrative at t_max). */
export function os24(out: readonly PatientOutcome[]): number {
  return out.filter((o) => !o.osEvent).length / out.length;
}

/** Binomial standard error of a proportion. */
export function se(p: number, n: number): number {
  return Math.sqrt(Math.max(p * (1 - p), 0.25 / n) / n);
}

/** Kaplan–Meier S(t) from outcomes (OS). */
export function kmAt(out: readonly PatientOutcome[], t: number): number {
  const times = [...new Set(out.filter((o) => o.osEvent && o.osDays <= t).map((o) => o.osDays))].sort(
    (a, b) => a - b,
  );
  let s = 1;
  for (const tj of times) {
    const atRisk = out.filter((o) => o.osDays >= tj).length;
    const d = out.filter((o) => o.osEvent && o.osDays === tj).length;
    s *= 1 - d / atRisk;
  }
  return s;
}

/** Standard normal CDF (Abramowitz–Stegun 7.1.26 via erf; |error| < 1.5e-7). */
export function normCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const y =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) *
      t *
      Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + y) : 0.5 * (1 - y);
}
