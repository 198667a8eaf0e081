import { describe, expect, it } from 'vitest';
import { neutropeniaGrade, resolveParamsV2, simulateModelPatient } from '../src/index.js';
import { NO_SPREAD_V2 } from './v2-helpers.js';

/** The median patient, one bolus, no febrile-neutropenia deaths or dissemination (a pure marrow course). */
function oneDose(dose: number) {
  const p = resolveParamsV2({ ...NO_SPREAD_V2, dose, cycles: 1, febrileDeathHazard: 0, seedingRate: 0 });
  const o = simulateModelPatient('lf-tid@2', p, { cohortSeed: 1, patientIndex: 0, trajectory: true });
  const tr = o.trajectory!;
  const at = (day: number) => tr.neutrophils[tr.day.findIndex((d) => d >= day)]!;
  return { o, tr, at };
}

describe('Friberg myelosuppression (lf-tid@2)', () => {
  it('without drug the ANC stays at Circ₀ (steady state)', () => {
    const { o, tr } = oneDose(0);
    for (const anc of tr.neutrophils) expect(Math.abs(anc / 5 - 1)).toBeLessThan(1e-12);
    expect(o.neutrophilNadir).toBe(5);
    expect(o.worstNeutropeniaGrade).toBe(0);
  });

  it('one bolus at typical values: nadir on day 7–14, grade 2 at the default dose, grade 4 at twice it', () => {
    const d2 = oneDose(2).o;
    const d4 = oneDose(4).o;
    // Published: nadir 7–14 days after myelosuppressive chemotherapy (Friberg 2002, MTT 3.5–5.6 d).
    for (const o of [d2, d4]) {
      expect(o.neutrophilNadirDay).toBeGreaterThanOrEqual(7);
      expect(o.neutrophilNadirDay).toBeLessThanOrEqual(14);
    }
    expect(d2.neutrophilNadir).toBeCloseTo(1.097, 2);
    expect(d2.worstNeutropeniaGrade).toBe(2);
    expect(d4.neutrophilNadir).toBeCloseTo(0.281, 2);
    expect(d4.worstNeutropeniaGrade).toBe(4);
  });

  it('recovers: ANC ≥ 1.5 by day 21 at the default dose (on-time re-treatment), within 1 % of Circ₀ by day 60', () => {
    const { at } = oneDose(2);
    expect(at(21)).toBeGreaterThanOrEqual(1.5);
    expect(Math.abs(at(60) / 5 - 1)).toBeLessThan(0.01);
  });

  it('the nadir deepens strictly with dose (0.5 … 16)', () => {
    const nadirs = [0.5, 1, 2, 4, 8, 16].map((d) => oneDose(d).o.neutrophilNadir);
    for (let i = 1; i < nadirs.length; i++) expect(nadirs[i]!).toBeLessThan(nadirs[i - 1]!);
  });

  it('CTCAE v5 grades at their boundaries', () => {
    expect([2, 1.99, 1.5, 1.49, 1, 0.99, 0.5, 0.49].map(neutropeniaGrade)).toEqual([0, 1, 1, 2, 2, 3, 3, 4]);
  });
});
