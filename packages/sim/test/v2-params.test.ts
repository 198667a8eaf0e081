import { describe, expect, it } from 'vitest';
import {
  defaultParamsV2,
  ParamError,
  paramDomainsV2,
  paramNames,
  paramNamesV2,
  resolveModelParams,
  resolveParamsV2,
  simulateModelPatient,
  validateModelParams,
  validateParamsV2,
} from '../src/index.js';

describe('lf-tid@2 parameters', () => {
  it("are v1's with cycleDays renamed doseInterval, plus doseDays and v2's own, with the documented defaults", () => {
    expect(
      paramNamesV2.filter((n) => n !== 'doseInterval' && !(paramNames as readonly string[]).includes(n)),
    ).toEqual([
      'doseDays',
      'infusionHours',
      'stopAtProgression',
      'toxicity',
      'baselineNeutrophils',
      'baselineNeutrophilsSigma',
      'meanTransitTime',
      'meanTransitTimeSigma',
      'neutrophilFeedback',
      'myelotoxicity',
      'myelotoxicitySigma',
      'doseDelayNeutrophils',
      'doseReductionStep',
      'maxDoseReductions',
      'febrileDeathHazard',
      'scanIntervalDays',
    ]);
    expect(paramNamesV2).not.toContain('cycleDays');
    expect(defaultParamsV2).toMatchObject({
      doseInterval: 21,
      cycles: 6,
      doseDays: [],
      infusionHours: 0,
      stopAtProgression: 1,
      toxicity: 1,
      baselineNeutrophils: 5,
      meanTransitTime: 4.5,
      neutrophilFeedback: 0.17,
      myelotoxicity: 1,
      doseDelayNeutrophils: 1.5,
      doseReductionStep: 0.25,
      maxDoseReductions: 2,
      febrileDeathHazard: 0.01,
      scanIntervalDays: 42,
    });
    expect(paramDomainsV2.maxDoseReductions).toBe('must be an integer; must be ≥ 0 and ≤ 100');
  });

  it('reports each bad value by name and rule', () => {
    expect(validateParamsV2({ cycleDays: 14 })).toEqual([
      { param: 'cycleDays', rule: 'unknown parameter (lf-tid@2 calls it doseInterval)' },
    ]);
    expect(validateParamsV2({ doseInterval: 0 })).toEqual([{ param: 'doseInterval', rule: 'must be > 0' }]);
    expect(validateParamsV2({ toxicity: 2 })).toEqual([{ param: 'toxicity', rule: 'must be ≤ 1' }]);
    expect(validateParamsV2({ cycles: 2.5 })).toEqual([{ param: 'cycles', rule: 'must be an integer' }]);
    expect(validateParamsV2({ doseDays: [0, 21, 21] })[0]!.param).toBe('doseDays');
    expect(validateParamsV2({ doseDays: [0, -1] })[0]!.param).toBe('doseDays');
    expect(validateParamsV2({ infusionHours: 24 * 22 })[0]).toEqual({
      param: 'infusionHours',
      rule: 'must be ≤ 24 × the shortest gap between doses (21 d): an infusion must end before the next dose',
    });
    expect(validateParamsV2({ doseReductionStep: 0.5, maxDoseReductions: 2 })[0]!.param).toBe(
      'doseReductionStep',
    );
    expect(validateParamsV2({ scanIntervalDays: 0.5 })[0]!.param).toBe('scanIntervalDays');
    expect(validateModelParams('lf-tid@1', { doseInterval: 14 })).toEqual([
      { param: 'doseInterval', rule: 'unknown parameter' },
    ]);
    expect(() => resolveModelParams('lf-tid@3' as 'lf-tid@2', {})).toThrow(ParamError);
  });

  it('a structured clone of a resolved set simulates the same patient', () => {
    const p = resolveParamsV2({ dose: 4, doseDays: [0, 14, 35] });
    const clone = structuredClone(p);
    const a = simulateModelPatient('lf-tid@2', p, { cohortSeed: 2, patientIndex: 7 });
    const b = simulateModelPatient('lf-tid@2', clone, { cohortSeed: 2, patientIndex: 7 });
    expect(b).toStrictEqual(a);
    expect(a.cyclesReceived).toBeLessThanOrEqual(3);
  });
});
