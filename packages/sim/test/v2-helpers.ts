import {
  type ModelParamsV2,
  type PatientOutcomeV2,
  resolveParamsV2,
  simulateModelPatient,
} from '../src/index.js';

/** Every σ of v2 set to 0: every patient is the population median. */
export const NO_SPREAD_V2 = {
  growthRateSigma: 0,
  diagnosisCellsSigma: 0,
  emtPlasticitySigma: 0,
  eliminationRateSigma: 0,
  maxDrugKillSigma: 0,
  immuneKillSigma: 0,
  baselineNeutrophilsSigma: 0,
  meanTransitTimeSigma: 0,
  myelotoxicitySigma: 0,
} as const;

export function cohortV2(overrides: Record<string, unknown>, n: number, cohortSeed = 1): PatientOutcomeV2[] {
  const p: ModelParamsV2 = resolveParamsV2(overrides);
  const out: PatientOutcomeV2[] = [];
  for (let i = 0; i < n; i++) out.push(simulateModelPatient('lf-tid@2', p, { cohortSeed, patientIndex: i }));
  return out;
}

/** Alive at the horizon (OS24 with the 730-day horizon: the only censoring is administrative). */
export function alive(out: readonly PatientOutcomeV2[]): number[] {
  return out.map((o) => (o.osEvent ? 0 : 1));
}

export function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Mean and standard error of the paired difference a − b (same patients in both arms). */
export function pairedDiff(a: readonly number[], b: readonly number[]): { diff: number; se: number } {
  const d = a.map((x, i) => x - b[i]!);
  const m = mean(d);
  const v = d.reduce((s, x) => s + (x - m) * (x - m), 0) / (d.length - 1);
  return { diff: m, se: Math.sqrt(v / d.length) };
}
