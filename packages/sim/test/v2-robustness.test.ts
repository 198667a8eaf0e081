/**
 * lf-tid@2 at random and extreme valid points: finite outcomes, consistent v2 fields, never a hang.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type PatientOutcomeV2,
  resolveParamsV2,
  SimulationError,
  simulateModelPatient,
} from '../src/index.js';

function checkV2(o: PatientOutcomeV2, p: ReturnType<typeof resolveParamsV2>): void {
  for (const [name, v] of Object.entries(o)) {
    if (typeof v === 'number') expect(Number.isFinite(v) && v >= 0, `${name} = ${v}`).toBe(true);
  }
  for (const [name, v] of Object.entries(o.sampled)) expect(Number.isFinite(v) && v >= 0, name).toBe(true);
  expect(o.osDays).toBeLessThanOrEqual(p.horizonDays);
  expect(o.scanPfsDays).toBeLessThanOrEqual(o.osDays);
  if (o.osEvent) expect(o.scanPfsEvent).toBe(true);
  if (o.toxicDeath) expect(o.osEvent && o.worstNeutropeniaGrade === 4 && !o.cured).toBe(true);
  const planned = p.dose > 0 ? (p.doseDays.length > 0 ? p.doseDays.length : p.cycles) : 0;
  expect(o.cyclesReceived).toBeLessThanOrEqual(planned);
  expect(o.doseReductions).toBeLessThanOrEqual(p.maxDoseReductions);
  expect(o.deliveredDose).toBeLessThanOrEqual(o.cyclesReceived * p.dose * (1 + 1e-12));
  expect(o.relativeDoseIntensity).toBeLessThanOrEqual(1.5);
  expect(o.neutrophilNadir).toBeLessThanOrEqual(o.sampled.baselineNeutrophils);
  expect(['CR', 'PR', 'SD', 'PD', 'NE']).toContain(o.recistBestResponse);
  expect(o.objectiveResponse).toBe(o.recistBestResponse === 'CR' || o.recistBestResponse === 'PR');
  if (p.toxicity === 0) expect(o.worstNeutropeniaGrade + o.doseDelays + o.doseReductions).toBe(0);
}

function run(over: Record<string, unknown>, n: number): void {
  const p = resolveParamsV2(over);
  for (let i = 0; i < n; i++) {
    try {
      checkV2(simulateModelPatient('lf-tid@2', p, { cohortSeed: 23, patientIndex: i }), p);
    } catch (e) {
      if (!(e instanceof SimulationError)) throw e;
    }
  }
}

describe('lf-tid@2 robustness', () => {
  it('extreme valid points give consistent, finite outcomes', () => {
    const points: Record<string, unknown>[] = [
      { dose: 1000, myelotoxicity: 100, febrileDeathHazard: 1000 },
      { dose: 16, doseInterval: 1, cycles: 100, infusionHours: 24 },
      { dose: 4, doseDays: [0, 0.1, 0.2, 50, 400], scanIntervalDays: 1 },
      { dose: 4, infusionHours: 21 * 24, hill: 2.5, stepDays: 0.5 },
      { dose: 8, maxDoseReductions: 0, doseDelayNeutrophils: 1000 },
      { dose: 8, meanTransitTime: 0.5, neutrophilFeedback: 2, baselineNeutrophilsSigma: 2 },
      { dose: 2, immuneKill: 0.35, scanIntervalDays: 500 },
      { dose: 0, scanIntervalDays: 7, horizonDays: 30 },
      { dose: 2, toxicity: 0, stopAtProgression: 0 },
    ];
    for (const over of points) run(over, 15);
  });

  it('random valid points give consistent, finite outcomes', () => {
    fc.assert(
      fc.property(
        fc.record({
          dose: fc.double({ min: 0, max: 50, noNaN: true }),
          doseInterval: fc.double({ min: 1, max: 60, noNaN: true }),
          cycles: fc.integer({ min: 0, max: 20 }),
          infusionHours: fc.double({ min: 0, max: 24, noNaN: true }),
          stopAtProgression: fc.integer({ min: 0, max: 1 }),
          toxicity: fc.integer({ min: 0, max: 1 }),
          myelotoxicity: fc.double({ min: 0, max: 5, noNaN: true }),
          meanTransitTime: fc.double({ min: 1, max: 10, noNaN: true }),
          febrileDeathHazard: fc.double({ min: 0, max: 0.5, noNaN: true }),
          scanIntervalDays: fc.constantFrom(0, 7, 21, 42, 84),
          emtPlasticity: fc.double({ min: 0, max: 10, noNaN: true }),
        }),
        (over) => run(over, 3),
      ),
      { numRuns: 40, seed: 15 },
    );
  });
});
