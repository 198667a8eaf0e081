/**
 * Bad or extreme parameters: clear errors, never a NaN outcome, never an unbounded loop.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  defaultParams,
  ParamError,
  type PatientOutcome,
  resolveParams,
  SimulationError,
  simulatePatient,
  validateParams,
} from '../src/index.js';
import { simulatePatientInternal } from '../src/model.js';

function checkOutcome(o: PatientOutcome, horizon: number): void {
  const nums: [string, number][] = [
    ['osDays', o.osDays],
    ['pfsDays', o.pfsDays],
    ['mfsDays', o.mfsDays],
    ['nadirCells', o.nadirCells],
    ['nadirDay', o.nadirDay],
    ['leaderFractionAtDiagnosis', o.leaderFractionAtDiagnosis],
    ['leaderFractionAtNadir', o.leaderFractionAtNadir],
    ['leaderFractionAtEnd', o.leaderFractionAtEnd],
    ['metastaticCellsAtDiagnosis', o.metastaticCellsAtDiagnosis],
    ['seedingEvents', o.seedingEvents],
    ['minEffector', o.minEffector],
    ['redraws', o.redraws],
    ...Object.entries(o.sampled),
  ];
  for (const [name, v] of nums) {
    expect(Number.isFinite(v), `${name} = ${v}`).toBe(true);
    expect(v, name).toBeGreaterThanOrEqual(0);
  }
  expect(o.osDays).toBeLessThanOrEqual(horizon);
  expect(o.pfsDays).toBeLessThanOrEqual(o.osDays);
  expect(o.mfsDays).toBeLessThanOrEqual(o.osDays);
  expect(o.pfsDays).toBeLessThanOrEqual(o.mfsDays);
  if (!o.osEvent) expect(o.osDays).toBe(horizon);
  if (o.osEvent) expect(o.pfsEvent && o.mfsEvent).toBe(true);
  if (o.cured) expect(o.osEvent).toBe(false);
  if (o.mfsEvent) expect(o.pfsEvent).toBe(true);
  expect(['CR', 'PR', 'SD', 'PD']).toContain(o.bestResponse);
  for (const phi of [o.leaderFractionAtDiagnosis, o.leaderFractionAtNadir, o.leaderFractionAtEnd]) {
    expect(phi).toBeLessThanOrEqual(1);
  }
  expect(Number.isInteger(o.seedingEvents) && Number.isInteger(o.redraws)).toBe(true);
  expect(o.nadirDay).toBeLessThanOrEqual(horizon);
}

function simulateOrClearError(over: Record<string, unknown>, n: number): void {
  const p = resolveParams(over);
  for (let i = 0; i < n; i++) {
    try {
      checkOutcome(simulatePatient(p, { cohortSeed: 17, patientIndex: i }), p.horizonDays);
    } catch (e) {
      if (e instanceof SimulationError) {
        expect(e.message).toMatch(/rejected \d+ times/);
        return;
      }
      throw e;
    }
  }
}

describe('robustness', () => {
  it('outcomes at the defaults satisfy the invariants', () => {
    const p = resolveParams({});
    for (let i = 0; i < 200; i++) checkOutcome(simulatePatient(p, { cohortSeed: 3, patientIndex: i }), 730);
  });

  it('extreme but valid parameter points give finite outcomes or a clear error', () => {
    const extremes: Record<string, unknown>[] = [
      { growthRate: 1e6, startCells: 1e9, diagnosisCells: 1e9 },
      { immuneKill: 1e6 },
      { maxDrugKill: 1e6, dose: 1e6 },
      { eliminationRate: 1e6 },
      { eliminationRate: 1e-6 },
      { hill: 100, dose: 1e6 },
      { hill: 0.01, dose: 1e-6 },
      { stochasticThreshold: 1e15, horizonDays: 60 },
      { stochasticThreshold: 0 },
      { cellLossFactor: 0.999999, horizonDays: 60 },
      { clusterSize: 1e9, seedingRate: 1e6 },
      { horizonDays: 0.01 },
      { cycleDays: 0.01, cycles: 1e6, horizonDays: 60 },
      { effectorCap: 1e-6 },
      { effectorTurnover: 0, effectorRecruitment: 0 },
      { leaderSuppression: 1e6, leaderImmuneVisibility: 0 },
      { followerToLeaderRate: 1e6, emtPlasticity: 1e6, drugInducedSwitching: 1e6 },
      { followerToLeaderRate: 0, leaderToFollowerRate: 0 },
      { startCells: 1e50, diagnosisCells: 1e50, capacityPrimary: 1e50, lethalCells: 1e50 },
      { startCells: 1, cellLossFactor: 0.5 },
      { lethalCells: 1e3, startCells: 1e6, diagnosisCells: 1e6 },
      { detectableCells: 1 },
      { capacityPrimary: 1e30, capacityMetastatic: 1e30, lethalCells: 1e50, horizonDays: 2000 },
      {
        growthRateSigma: 5,
        diagnosisCellsSigma: 5,
        emtPlasticitySigma: 5,
        eliminationRateSigma: 5,
        maxDrugKillSigma: 5,
        immuneKillSigma: 5,
        horizonDays: 100,
      },
    ];
    for (const over of extremes) {
      expect(validateParams(over), JSON.stringify(over)).toEqual([]);
      simulateOrClearError(over, 20);
    }
  });

  it('random valid parameter points (property): finite outcomes or a clear error', () => {
    const logU = (lo: number, hi: number) =>
      fc.double({ min: Math.log10(lo), max: Math.log10(hi), noNaN: true }).map((x) => 10 ** x);
    const arb = fc.record(
      {
        growthRate: fc.double({ min: 0.005, max: 0.1, noNaN: true }),
        leaderGrowthRatio: fc.double({ min: 0, max: 2, noNaN: true }),
        cellLossFactor: fc.double({ min: 0, max: 0.99, noNaN: true }),
        emtPlasticity: fc.double({ min: 0, max: 10, noNaN: true }),
        drugInducedSwitching: fc.double({ min: 0, max: 10, noNaN: true }),
        dose: fc.double({ min: 0, max: 10, noNaN: true }),
        leaderDrugSensitivity: fc.double({ min: 0, max: 1, noNaN: true }),
        hill: fc.double({ min: 0.5, max: 3, noNaN: true }),
        immuneKill: fc.double({ min: 0, max: 0.35, noNaN: true }),
        effectorCap: fc.double({ min: 3, max: 30, noNaN: true }),
        leaderImmuneVisibility: fc.double({ min: 0, max: 1, noNaN: true }),
        leaderSuppression: fc.double({ min: 0, max: 5, noNaN: true }),
        seedingRate: logU(1e-6, 1e-4),
        followerInvasiveness: fc.double({ min: 0, max: 0.1, noNaN: true }),
        clusterSize: fc.integer({ min: 1, max: 50 }),
        stochasticThreshold: logU(1e3, 1e5),
        stepDays: fc.double({ min: 0.1, max: 0.5, noNaN: true }),
        leaderToFollowerRate: fc.double({ min: 0.01, max: 0.2, noNaN: true }),
        horizonDays: fc.double({ min: 1, max: 200, noNaN: true }),
        cycles: fc.integer({ min: 0, max: 8 }),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(arb, (over) => {
        if (validateParams(over).length > 0) return; // e.g. too slow to be diagnosed: covered elsewhere
        simulateOrClearError(over, 3);
      }),
      { numRuns: 60, seed: 42 },
    );
  });

  it('a point that can never be diagnosed is rejected by validation, and the kernel stops with a clear error', () => {
    expect(() => resolveParams({ growthRate: 0 })).toThrow(ParamError);
    expect(() => resolveParams({ growthRate: 0 })).toThrow(/growthRate: too slow/);
    expect(() => resolveParams({ lethalCells: 1e9 })).toThrow(/lethalCells: must be > diagnosisCells/);
    // A patient that keeps going extinct before diagnosis (P = 0.8 per attempt from 1 cell) is
    // redrawn; a cap on redraws (1,000; 3 here) turns a hopeless point into an error, not a hang.
    const p = resolveParams({ startCells: 1, growthRateSigma: 0 });
    let thrown = 0;
    for (let i = 0; i < 50; i++) {
      try {
        const o = simulatePatientInternal(p, { cohortSeed: 1, patientIndex: i, maxRedraws: 3 });
        expect(o.redraws).toBeLessThan(3);
      } catch (e) {
        expect(e).toBeInstanceOf(SimulationError);
        expect((e as Error).message).toMatch(/patient \d+ \(cohortSeed 1\) was rejected 3 times/);
        thrown++;
      }
    }
    expect(thrown).toBeGreaterThan(10); // 0.8^3 ≈ 51 %
  });

  it('defaultParams cannot be mutated', () => {
    expect(() => {
      (defaultParams as { dose: number }).dose = 3;
    }).toThrow(TypeError);
  });
});
