/**
 * MODEL.md §8 "indicative cohort behaviour". The same virtual patients (common random numbers)
 * are used in every arm, so each axis contrast is a paired comparison with a small standard error;
 * n is chosen so that every asserted direction holds by more than 5 paired standard errors.
 * Reference values (n = 2,000 in MODEL.md) are checked with 4.5 combined standard errors.
 */
import { describe, expect, it } from 'vitest';
import type { PatientOutcome } from '../src/index.js';
import { cohort, os24, se } from './helpers.js';

const N = 1000;
const SEED = 2024;
const arms = new Map<string, PatientOutcome[]>();
function arm(label: string, overrides: Record<string, number>): PatientOutcome[] {
  let a = arms.get(label);
  if (!a) {
    a = cohort(overrides, N, SEED);
    arms.set(label, a);
  }
  return a;
}

/** Paired difference in 24-month survival (b − a) and its standard error. */
function paired(a: PatientOutcome[], b: PatientOutcome[]): { diff: number; z: number } {
  const d = a.map((o, i) => (b[i]!.osEvent ? 0 : 1) - (o.osEvent ? 0 : 1));
  const mean = d.reduce((s, x) => s + x, 0) / d.length;
  const v = d.reduce((s, x) => s + (x - mean) ** 2, 0) / (d.length - 1);
  return { diff: mean, z: mean / Math.sqrt(v / d.length) };
}

function closeToReference(value: number, ref: number): void {
  const tol = 4.5 * Math.sqrt(se(ref, 2000) ** 2 + se(ref, N) ** 2);
  expect(Math.abs(value - ref)).toBeLessThan(tol);
}

describe('indicative cohort behaviour (MODEL.md §8)', () => {
  it('dose axis: OS24 rises from untreated to dose 2 to dose 10', () => {
    const untreated = arm('dose0', { dose: 0 });
    const def = arm('default', {});
    const high = arm('dose10', { dose: 10 });
    for (const [lo, hi] of [
      [untreated, def],
      [def, high],
    ] as const) {
      const { diff, z } = paired(lo, hi);
      expect(diff).toBeGreaterThan(0);
      expect(z).toBeGreaterThan(5);
    }
    closeToReference(os24(untreated), 0.09);
    closeToReference(os24(def), 0.5);
    closeToReference(os24(high), 0.8);
    // Untreated median OS ≈ 450 d.
    const deaths = untreated
      .map((o) => (o.osEvent ? o.osDays : Number.POSITIVE_INFINITY))
      .sort((a, b) => a - b);
    expect(Math.abs(deaths[N / 2]! - 450)).toBeLessThan(30);
    expect(untreated.some((o) => o.cured)).toBe(false);
    closeToReference(def.filter((o) => o.cured).length / N, 0.1);
  });

  it('immune-kill axis: OS24 and cures rise with k_I (0.035 → 0.1)', () => {
    const def = arm('default', {});
    const immune = arm('kI0.1', { immuneKill: 0.1 });
    const { diff, z } = paired(def, immune);
    expect(diff).toBeGreaterThan(0);
    expect(z).toBeGreaterThan(5);
    closeToReference(os24(immune), 0.64);
    closeToReference(immune.filter((o) => o.cured).length / N, 0.5);
  });

  it('EMT-plasticity axis: OS24 falls as p rises (0.1 → 1 → 10)', () => {
    const low = arm('p0.1', { emtPlasticity: 0.1 });
    const def = arm('default', {});
    const high = arm('p10', { emtPlasticity: 10 });
    for (const [a, b] of [
      [def, low],
      [high, def],
    ] as const) {
      const { diff, z } = paired(a, b);
      expect(diff).toBeGreaterThan(0);
      expect(z).toBeGreaterThan(5);
    }
    closeToReference(os24(low), 0.65);
    closeToReference(os24(high), 0.34);
    expect(high.filter((o) => o.cured).length / N).toBeLessThan(0.01);
    // More plasticity → more leaders at diagnosis.
    const meanPhi = (a: PatientOutcome[]) =>
      a.reduce((s, o) => s + o.leaderFractionAtDiagnosis, 0) / a.length;
    expect(meanPhi(high)).toBeGreaterThan(meanPhi(def));
    expect(meanPhi(def)).toBeGreaterThan(meanPhi(low));
  });
});
