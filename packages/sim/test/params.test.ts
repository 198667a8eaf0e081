import { describe, expect, it } from 'vitest';
import {
  defaultParams,
  modelId,
  ParamError,
  paramNames,
  pointHash,
  resolveParams,
  sampledParamNames,
  simulatePatient,
  validateParams,
} from '../src/index.js';

function errorOf(fn: () => unknown): ParamError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ParamError) return e;
    throw e;
  }
  throw new Error('expected a ParamError');
}

describe('parameters', () => {
  it('defaults carry every MODEL.md §4 name with its default value', () => {
    expect(modelId).toBe('lf-tid@1');
    expect(Object.isFrozen(defaultParams)).toBe(true);
    expect(Object.keys(defaultParams)).toEqual([...paramNames]);
    expect(defaultParams).toMatchObject({
      growthRate: 0.025,
      growthRateSigma: 0.4,
      leaderGrowthRatio: 0.5,
      cellLossFactor: 0.8,
      capacityPrimary: 1e11,
      capacityMetastatic: 2e12,
      startCells: 1e6,
      diagnosisCells: 6.5e9,
      diagnosisCellsSigma: 0.5,
      lethalCells: 1e12,
      detectableCells: 1e9,
      followerToLeaderRate: 0.005,
      leaderToFollowerRate: 0.045,
      emtPlasticity: 1,
      emtPlasticitySigma: 0.3,
      drugInducedSwitching: 3,
      dose: 2,
      eliminationRate: 0.9,
      eliminationRateSigma: 0.3,
      maxDrugKill: 0.9,
      maxDrugKillSigma: 0.3,
      leaderDrugSensitivity: 0.1,
      cycleDays: 21,
      cycles: 6,
      hill: 1,
      drugEffectorKill: 0.6,
      immuneKill: 0.035,
      immuneKillSigma: 0.5,
      effectorTurnover: 0.0412,
      effectorRecruitment: 0.1245,
      effectorHalfSaturation: 2.019e7,
      effectorCap: 10,
      leaderImmuneVisibility: 0.3,
      leaderSuppression: 1,
      seedingRate: 1e-5,
      followerInvasiveness: 0.01,
      clusterSize: 10,
      stochasticThreshold: 1e4,
      stepDays: 0.25,
      preStepDays: 1,
      horizonDays: 730,
    });
    expect(paramNames).toHaveLength(41);
    for (const name of sampledParamNames) expect(paramNames).toContain(`${name}Sigma`);
  });

  it('resolveParams merges overrides over the defaults and freezes the result', () => {
    const p = resolveParams({ dose: 5, immuneKill: 0.1 });
    expect(p.dose).toBe(5);
    expect(p.immuneKill).toBe(0.1);
    expect(p.growthRate).toBe(0.025);
    expect(Object.isFrozen(p)).toBe(true);
    expect(resolveParams({})).toStrictEqual({ ...defaultParams });
    expect(validateParams({ dose: 0, growthRateSigma: 0 })).toEqual([]);
  });

  it('unknown names are errors that say so', () => {
    const e = errorOf(() => resolveParams({ immunekill: 0.1 }));
    expect(e).toBeInstanceOf(Error);
    expect(e.param).toBe('immunekill');
    expect(e.rule).toBe('unknown parameter');
    expect(e.message).toBe('immunekill: unknown parameter (got 0.1)');
  });

  it('domain violations name the parameter and the rule', () => {
    const cases: [Record<string, unknown>, string, string][] = [
      [{ cellLossFactor: 1.2 }, 'cellLossFactor', 'must be < 1'],
      [{ cellLossFactor: 1 }, 'cellLossFactor', 'must be < 1'],
      [{ growthRate: -0.01 }, 'growthRate', 'must be ≥ 0'],
      [{ immuneKill: -1 }, 'immuneKill', 'must be ≥ 0'],
      [{ seedingRate: -1e-6 }, 'seedingRate', 'must be ≥ 0'],
      [{ stepDays: 0 }, 'stepDays', 'must be > 0'],
      [{ stepDays: -0.25 }, 'stepDays', 'must be > 0'],
      [{ eliminationRate: 0 }, 'eliminationRate', 'must be > 0'],
      [{ growthRateSigma: -0.1 }, 'growthRateSigma', 'must be ≥ 0'],
      [{ dose: Number.NaN }, 'dose', 'must be a finite number'],
      [{ dose: Number.POSITIVE_INFINITY }, 'dose', 'must be a finite number'],
      [{ dose: '2' }, 'dose', 'must be a finite number'],
      [{ dose: null }, 'dose', 'must be a finite number'],
      [{ cycles: 2.5 }, 'cycles', 'must be an integer'],
      [{ clusterSize: 0 }, 'clusterSize', 'must be ≥ 1'],
      [{ hill: 0 }, 'hill', 'must be > 0'],
      [{ horizonDays: 0 }, 'horizonDays', 'must be > 0'],
      [{ capacityPrimary: 0 }, 'capacityPrimary', 'must be > 0'],
    ];
    for (const [over, param, rule] of cases) {
      const e = errorOf(() => resolveParams(over));
      expect(e.param).toBe(param);
      expect(e.rule).toBe(rule);
      expect(e.message.startsWith(`${param}: ${rule} (got `)).toBe(true);
    }
    expect(errorOf(() => resolveParams({ cellLossFactor: 1.2 })).message).toBe(
      'cellLossFactor: must be < 1 (got 1.2)',
    );
  });

  it('relations between parameters are checked (no unbounded loops, no impossible diagnosis)', () => {
    expect(validateParams({ stepDays: 1e-6 })).toEqual([
      { param: 'stepDays', rule: expect.stringContaining('at most') },
    ]);
    expect(validateParams({ preStepDays: 1e-6 })[0]!.param).toBe('preStepDays');
    expect(validateParams({ growthRate: 0 })[0]).toEqual({
      param: 'growthRate',
      rule: expect.stringContaining('too slow'),
    });
    expect(validateParams({ growthRate: 0.0005 })[0]!.param).toBe('growthRate');
    expect(validateParams({ diagnosisCells: 2e11 })[0]!.param).toBe('diagnosisCells');
    expect(validateParams({ effectorTurnover: 2 })[0]!.param).toBe('effectorTurnover');
    // …but no growth is fine when the patient starts at the diagnosis burden.
    expect(validateParams({ growthRate: 0, startCells: 1e9, diagnosisCells: 1e9 })).toEqual([]);
  });

  it('validateParams returns all problems without throwing', () => {
    const problems = validateParams({ foo: 1, cellLossFactor: 2, stepDays: 0, dose: 'x', bar: 2 });
    expect(problems).toEqual([
      { param: 'foo', rule: 'unknown parameter' },
      { param: 'bar', rule: 'unknown parameter' },
      { param: 'cellLossFactor', rule: 'must be < 1' },
      { param: 'dose', rule: 'must be a finite number' },
      { param: 'stepDays', rule: 'must be > 0' },
    ]);
    const e = errorOf(() => resolveParams({ foo: 1, cellLossFactor: 2 }));
    expect(e.problems).toHaveLength(2);
    expect(validateParams(null as unknown as Record<string, unknown>)).toEqual([]);
    expect(validateParams([] as unknown as Record<string, unknown>)[0]!.rule).toContain('object');
  });

  it('simulatePatient rejects invalid parameter objects and seeds with clear errors', () => {
    const bad = { ...defaultParams, cellLossFactor: 1 };
    expect(() => simulatePatient(bad, { cohortSeed: 1, patientIndex: 0 })).toThrow(ParamError);
    expect(() => simulatePatient(bad, { cohortSeed: 1, patientIndex: 0 })).toThrow(
      'cellLossFactor: must be < 1',
    );
    const { dose: _omit, ...missing } = defaultParams;
    expect(() => simulatePatient(missing as never, { cohortSeed: 1, patientIndex: 0 })).toThrow('dose');
    const p = resolveParams({});
    expect(() => simulatePatient(p, { cohortSeed: -1, patientIndex: 0 })).toThrow(RangeError);
    expect(() => simulatePatient(p, { cohortSeed: 1, patientIndex: 0.5 })).toThrow(RangeError);
    expect(() => simulatePatient(p, { cohortSeed: 2 ** 53, patientIndex: 0 })).toThrow(RangeError);
    // A plain object validated once is re-checked when it changes.
    const plain = { ...defaultParams };
    simulatePatient(plain, { cohortSeed: 1, patientIndex: 0 });
    (plain as { stepDays: number }).stepDays = 0;
    expect(() => simulatePatient(plain, { cohortSeed: 1, patientIndex: 0 })).toThrow('stepDays: must be > 0');
    // A plain (unfrozen) but valid object works and gives the same outcome.
    expect(simulatePatient({ ...defaultParams }, { cohortSeed: 3, patientIndex: 4 })).toStrictEqual(
      simulatePatient(p, { cohortSeed: 3, patientIndex: 4 }),
    );
  });
});

describe('pointHash', () => {
  it('is hex sha256, stable, independent of key order and of how numbers are written', () => {
    const h = pointHash(resolveParams({}));
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(pointHash(defaultParams)).toBe(h);
    expect(pointHash(resolveParams({ ...defaultParams }))).toBe(h);
    const reversed = Object.fromEntries(Object.entries(defaultParams).reverse());
    expect(pointHash(resolveParams(reversed))).toBe(h);
    const fromJson = resolveParams(
      JSON.parse('{"seedingRate": 0.00001, "dose": 2.0, "capacityPrimary": 100000000000}'),
    );
    expect(pointHash(fromJson)).toBe(h);
    expect(pointHash(resolveParams({ seedingRate: 1.0e-5 }))).toBe(h);
    expect(pointHash(resolveParams({ dose: -0 }))).not.toBe(h);
    expect(pointHash(resolveParams({ dose: -0 }))).toBe(pointHash(resolveParams({ dose: 0 })));
    expect(pointHash(resolveParams({ dose: 2.0000001 }))).not.toBe(h);
    // Pinned: a change of this value means every stored parameter point changes identity.
    expect(h).toBe('4f6210cd597de694acc32fa3b38be7f64e5d1cc91318b2bfb9a1ed914f2e0acb');
  });
});
