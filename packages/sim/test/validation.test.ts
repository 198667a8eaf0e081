/**
 * MODEL.md §8 validation cases, each as its own test. Monte Carlo tolerances are 4–5 standard
 * errors (plus, where stated, the known O(Δt) discretisation error of the frozen-rate scheme).
 */
import { describe, expect, it } from 'vitest';
import { dominantGrowthRate, resolveParams, simulatePatient } from '../src/index.js';
import { simulatePatientInternal } from '../src/model.js';
import { cohort, kmAt, NO_SPREAD, normCdf, os24, se } from './helpers.js';

/** No dissemination, no drug, no immune kill, no spread. */
const QUIET = { ...NO_SPREAD, seedingRate: 0, dose: 0, immuneKill: 0 };

describe('MODEL.md §8 validation', () => {
  it('V1 exponential growth, log-normal rate (end to end): death time ln(100)/r, S(180), S(365), S(730)', () => {
    const p = resolveParams({
      seedingRate: 0,
      emtPlasticity: 0,
      immuneKill: 0,
      dose: 0,
      capacityPrimary: 1e30,
      capacityMetastatic: 1e30,
      startCells: 1e10,
      diagnosisCells: 1e10,
      diagnosisCellsSigma: 0,
      lethalCells: 1e12,
      growthRate: 0.025,
      growthRateSigma: 0.4,
    });
    const n = 4000;
    const out = cohort(p, n, 11);
    // Per patient: log-linear interpolation makes the death time exact for exponential growth.
    for (const o of out) {
      const T = Math.log(100) / o.sampled.growthRate;
      if (T <= 730) {
        expect(o.osEvent).toBe(true);
        expect(o.osDays).toBeCloseTo(T, 6);
      } else {
        expect(o.osEvent).toBe(false);
        expect(o.osDays).toBe(730);
      }
    }
    // Analytic survival: S(t) = Φ((ln(ln 100 / t) − ln 0.025) / 0.4), which MODEL.md quotes.
    const S = (t: number) => normCdf((Math.log(Math.log(100) / t) - Math.log(0.025)) / 0.4);
    expect(S(180)).toBeCloseTo(0.523, 3);
    expect(S(365)).toBeCloseTo(0.0437, 4);
    expect(S(730)).toBeCloseTo(0.0003, 4);
    expect(Math.log(100) / 0.025).toBeCloseTo(184.2, 1);
    for (const [t, ref] of [
      [180, 0.523],
      [365, 0.0437],
      [730, 0.0003],
    ] as const) {
      expect(Math.abs(kmAt(out, t) - ref)).toBeLessThan(4.5 * se(ref, n));
    }
    const deathTimes = out.map((o) => o.osDays).sort((a, b) => a - b);
    const median = deathTimes[n / 2]!;
    // s.e. of the sample median of a log-normal: T·σ·sqrt(π/2)/sqrt(n) ≈ 184·0.4·1.25/63
    expect(Math.abs(median - 184.2)).toBeLessThan(4.5 * ((184.2 * 0.4 * 1.2533) / Math.sqrt(n)));
  });

  it('V2 logistic growth: N(100) = 4.586e10, N(365) = 9.984e10 (first-order in Δt)', () => {
    const K = 1e11;
    const logistic = (t: number) => K / (1 + (K / 6.5e9 - 1) * Math.exp(-0.025 * t));
    expect(logistic(100)).toBeCloseTo(4.586e10, -7);
    expect(logistic(365)).toBeCloseTo(9.984e10, -7);
    const run = (stepDays: number) => {
      const p = resolveParams({
        ...QUIET,
        emtPlasticity: 0,
        startCells: 6.5e9,
        diagnosisCells: 6.5e9,
        capacityPrimary: K,
        growthRate: 0.025,
        stepDays,
      });
      const o = simulatePatientInternal(p, {
        cohortSeed: 1,
        patientIndex: 0,
        trajectory: true,
        trajectoryEveryDays: 1,
      });
      const tr = o.trajectory!;
      const at = (d: number) => tr.primaryCells[tr.day.findIndex((x) => Math.abs(x - d) < 1e-9)]!;
      expect(o.osEvent).toBe(false);
      return [at(100), at(365)] as const;
    };
    const [n100, n365] = run(0.25);
    expect(Math.abs(n100 / logistic(100) - 1)).toBeLessThan(2e-3); // scheme error at Δt = 0.25: 0.09 %
    expect(Math.abs(n365 / logistic(365) - 1)).toBeLessThan(1e-4);
    const [f100] = run(0.01);
    expect(Math.abs(f100 / logistic(100) - 1)).toBeLessThan(1e-4); // converges as O(Δt)
  });

  it('V3 one bolus, no growth: surviving fraction (1 + c0)^(−Emax/ke); leaders at c0 = 2: 0.8960', () => {
    const base = {
      ...QUIET,
      growthRate: 0,
      startCells: 1e9,
      diagnosisCells: 1e9,
      cycles: 1,
      maxDrugKill: 0.9,
      eliminationRate: 0.9,
      stochasticThreshold: 0,
    };
    const surviving = (over: Record<string, number>) => {
      const o = simulatePatient(resolveParams({ ...base, ...over }), { cohortSeed: 1, patientIndex: 0 });
      return o.nadirCells / 1e9;
    };
    const expected: [number, number][] = [
      [1, 0.5],
      [2, 0.3333],
      [5, 0.1667],
      [10, 0.0909],
    ];
    for (const [c0, ref] of expected) {
      const f = surviving({ dose: c0, emtPlasticity: 0 });
      expect(f).toBeCloseTo(ref, 4);
      expect(f / (1 + c0) ** -1 - 1).toBeCloseTo(0, 10); // exact for frozen-rate exposure
    }
    // Leaders only (k_LF = 0 ⇒ φ* = 1): σ_L = 0.1.
    const fl = surviving({ dose: 2, emtPlasticity: 1, leaderToFollowerRate: 0, leaderDrugSensitivity: 0.1 });
    expect(fl).toBeCloseTo(0.896, 4);
    expect(fl / 3 ** -0.1 - 1).toBeCloseTo(0, 10);
    // Beyond the listed cases: Hill h ⇒ (1 + c0^h)^(−Emax/(h·ke)); two well-separated boluses square it.
    const fh = surviving({ dose: 2, emtPlasticity: 0, hill: 2.5, eliminationRate: 0.6 });
    expect(fh / (1 + 2 ** 2.5) ** (-0.9 / (2.5 * 0.6)) - 1).toBeCloseTo(0, 9);
    const f2 = surviving({ dose: 5, emtPlasticity: 0, cycles: 2, cycleDays: 60 });
    expect(f2 / 6 ** -2 - 1).toBeCloseTo(0, 9);
  });

  it('V4 switching equilibrium: φ* = 0.1 (r_L = r_F); r_L = 0.5·r_F → growth 0.023983 d⁻¹, φ* = 0.0813', () => {
    expect(dominantGrowthRate(0.025, 0.0125, 0.005, 0.045)).toBeCloseTo(0.023983, 6);
    const common = {
      ...QUIET,
      capacityPrimary: 1e30,
      capacityMetastatic: 1e30,
      lethalCells: 1e40,
      stochasticThreshold: 0,
    };
    const traj = (over: Record<string, number>) =>
      simulatePatientInternal(resolveParams({ ...common, ...over }), {
        cohortSeed: 1,
        patientIndex: 0,
        trajectory: true,
        trajectoryEveryDays: 1,
      });
    // r_L = r_F: φ stays at k_FL/(k_FL + k_LF) = 0.1 through ~1 year of growth to diagnosis.
    const eq = traj({ leaderGrowthRatio: 1 });
    expect(eq.leaderFractionAtDiagnosis).toBeCloseTo(0.1, 12);
    expect(eq.leaderFractionAtEnd).toBeCloseTo(0.1, 12);
    // r_L = r_F with a drug that only induces switching (no kill): φ is pushed up, then relaxes to 0.1.
    const pulse = traj({ leaderGrowthRatio: 1, dose: 5, maxDrugKill: 0, cycles: 1 });
    expect(Math.max(...pulse.trajectory!.leaderFraction)).toBeGreaterThan(0.11);
    expect(pulse.leaderFractionAtEnd).toBeCloseTo(0.1, 6);
    // r_L = 0.5 r_F: the population converges to the dominant eigenvector.
    const half = traj({ leaderGrowthRatio: 0.5, horizonDays: 400 });
    const tr = half.trajectory!;
    const rate = Math.log(tr.primaryCells[300]! / tr.primaryCells[200]!) / 100;
    expect(rate).toBeCloseTo(0.023983, 5);
    // Lie splitting (growth, then switching) shifts φ* by O(Δt): 0.1 % at Δt = 0.25, 0.6 % at Δt_pre = 1.
    expect(Math.abs(tr.leaderFraction[300]! / 0.08134 - 1)).toBeLessThan(0.003);
    expect(Math.abs(half.leaderFractionAtDiagnosis / 0.08134 - 1)).toBeLessThan(0.01);
    const fine = traj({ leaderGrowthRatio: 0.5, horizonDays: 300, stepDays: 0.01 });
    expect(fine.trajectory!.leaderFraction[300]!).toBeCloseTo(0.0813, 4);
  });

  it('V5 extinction under τ-leaping: b = 0.125, d0 = 0.1 → P(extinct) = 0.1074 (n0 = 10), 0.8 (n0 = 1)', () => {
    // A primary that starts with n0 cells and goes extinct before diagnosis is rejected and
    // redrawn, so P(extinct) = redraws / attempts. Diagnosis at 200 cells (later extinction ≈ 0.8^200).
    const estimate = (n0: number, n: number) => {
      const p = resolveParams({
        ...QUIET,
        emtPlasticity: 0,
        growthRate: 0.025,
        cellLossFactor: 0.8,
        startCells: n0,
        diagnosisCells: 200,
        preStepDays: 0.1,
        horizonDays: 0.1,
      });
      let redraws = 0;
      for (let i = 0; i < n; i++) redraws += simulatePatient(p, { cohortSeed: 5, patientIndex: i }).redraws;
      const attempts = n + redraws;
      return { p: redraws / attempts, attempts };
    };
    // τ-leaping bias at Δt = 0.1 is ≈ −0.001 (measured: −0.011 at Δt = 1); allowed on top of 4.5 s.e.
    const ten = estimate(10, 8000);
    expect((0.125 - 0.1) / 0.125).toBeCloseTo(0.2, 12);
    expect(Math.abs(ten.p - 0.8 ** 10)).toBeLessThan(4.5 * se(0.1074, ten.attempts) + 0.002);
    const one = estimate(1, 5000);
    expect(Math.abs(one.p - 0.8)).toBeLessThan(4.5 * se(0.8, one.attempts) + 0.002);
  });

  it('V6 effector steady state at large N: E* = 7.153', () => {
    const pE = 0.1245;
    const dE = 0.0412;
    const Ecap = 10;
    const a = -pE / Ecap;
    const b = pE - dE;
    const Estar = (-b - Math.sqrt(b * b - 4 * a * dE)) / (2 * a); // root of a·E² + b·E + d_E = 0
    expect(Estar).toBeCloseTo(7.153, 3);
    // g ≪ N so that N/(g + N) = 1 to double precision; untreated, no immune kill, burden capped.
    const o = simulatePatientInternal(
      resolveParams({ ...QUIET, effectorHalfSaturation: 1e-3, startCells: 1e10, diagnosisCells: 1e10 }),
      { cohortSeed: 1, patientIndex: 0, trajectory: true },
    );
    const E = o.trajectory!.effector;
    expect(E[0]).toBe(1); // diagnosed at once: healthy homeostasis
    expect(E[E.length - 1]!).toBeCloseTo(Estar, 6);
    // The same fixed point is reached before diagnosis in a default patient (≈ 1 year at N ≫ g).
    const d = simulatePatientInternal(resolveParams({ dose: 0, seedingRate: 0, immuneKill: 0 }), {
      cohortSeed: 1,
      patientIndex: 0,
      trajectory: true,
    });
    expect(d.trajectory!.effector[0]!).toBeGreaterThan(7.1);
    expect(d.trajectory!.effector[0]!).toBeLessThan(Estar);
  });

  it('V8 step size: 24-month OS at the defaults changes by < 0.01 between Δt = 0.5, 0.25, 0.1', () => {
    const n = 1000;
    const os = [0.5, 0.25, 0.1].map((stepDays) => os24(cohort({ stepDays }, n, 8)));
    for (let i = 0; i < os.length; i++) {
      for (let j = i + 1; j < os.length; j++) expect(Math.abs(os[i]! - os[j]!)).toBeLessThan(0.01);
    }
  });

  it('V9a q = 0 → no deaths (K_P < N_death)', () => {
    const out = cohort({ seedingRate: 0 }, 1000, 9);
    expect(out.every((o) => !o.osEvent && o.metastaticCellsAtDiagnosis === 0 && o.seedingEvents === 0)).toBe(
      true,
    );
    expect(out.every((o) => o.osDays === 730)).toBe(true);
  });

  it('V9b k_I = 0 → essentially no cures', () => {
    const out = cohort({ immuneKill: 0 }, 1000, 9);
    const cured = out.filter((o) => o.cured).length;
    expect(cured).toBeLessThanOrEqual(2);
    // …whereas the default immune kill cures a sizeable fraction of the same patients.
    expect(cohort({}, 400, 9).filter((o) => o.cured).length).toBeGreaterThan(10);
  });

  it('V9c the same seed and parameters → bit-identical output', () => {
    const p = resolveParams({});
    for (let i = 0; i < 50; i++) {
      const a = simulatePatient(p, { cohortSeed: 123, patientIndex: i, trajectory: true });
      const b = simulatePatient(resolveParams({}), { cohortSeed: 123, patientIndex: i, trajectory: true });
      expect(JSON.stringify(b)).toBe(JSON.stringify(a));
      expect(b).toStrictEqual(a);
    }
  });
});
