/**
 * R `survival::aml`, `survfit(Surv(time, status) ~ x)` and `survdiff`: the reference numbers of MODEL.md §9.
 * The non-maintained arm's n.risk, std.err and limits are not in MODEL.md: they are derived here by hand
 * from the data with Greenwood's formula, independently of the implementation.
 */
import { describe, expect, it } from 'vitest';
import { kaplanMeier, logRank, medianSurvival, rmst } from '../src/index.js';

const maintained = {
  time: [9, 13, 13, 18, 23, 28, 31, 34, 45, 48, 161],
  event: [true, true, false, true, true, false, true, true, false, true, false],
};
const nonMaintained = {
  time: [5, 5, 8, 8, 12, 16, 23, 27, 30, 33, 43, 45],
  event: [true, true, true, true, true, false, true, true, true, true, true, true],
};

function expectAllClose(actual: readonly number[], expected: readonly number[], tolerance: number): void {
  expect(actual).toHaveLength(expected.length);
  expected.forEach((value, i) => {
    expect(Math.abs(actual[i]! - value), `[${i}] ${actual[i]} vs ${value}`).toBeLessThanOrEqual(tolerance);
  });
}

describe('aml, maintained arm (MODEL.md §9)', () => {
  const curve = kaplanMeier(maintained);

  it('has the event times, risk sets and events R reports', () => {
    expect(curve.time).toEqual([9, 13, 18, 23, 31, 34, 48]);
    expect(curve.nRisk).toEqual([11, 10, 8, 7, 5, 4, 2]);
    expect(curve.nEvent).toEqual([1, 1, 1, 1, 1, 1, 1]);
    expect(curve.nCensor).toEqual([0, 1, 0, 0, 0, 0, 0]); // 13+ censored at an event time, after the event
  });

  it('matches survival, std.err and the log-scale 95% limits to 1e-5', () => {
    expectAllClose(curve.survival, [0.90909, 0.81818, 0.71591, 0.61364, 0.49091, 0.36818, 0.18409], 1e-5);
    expectAllClose(
      curve.stdErr,
      [0.086678, 0.116291, 0.139665, 0.152632, 0.164193, 0.162669, 0.153493],
      1e-5,
    );
    expectAllClose(curve.lower, [0.75413, 0.61925, 0.48843, 0.37687, 0.25486, 0.15488, 0.03592], 1e-5);
    expectAllClose(curve.upper, [1, 1, 1, 0.99916, 0.94559, 0.87526, 0.94353], 1e-5);
  });

  it('has median 31 with 95% CI 18 to NA', () => {
    expect(medianSurvival(curve)).toEqual({ median: 31, lower: 18, upper: null });
    expect(medianSurvival(curve, { rule: 'print' })).toEqual({ median: 31, lower: 18, upper: null });
  });
});

describe('aml, non-maintained arm (MODEL.md §9 plus Greenwood by hand)', () => {
  const curve = kaplanMeier(nonMaintained);

  // By hand from the data: at each event time t_j, n_j = subjects with time ≥ t_j, d_j = deaths at t_j.
  const times = [5, 8, 12, 23, 27, 30, 33, 43, 45];
  const atRisk = times.map((t) => nonMaintained.time.filter((u) => u >= t).length);
  const deaths = times.map(
    (t) => nonMaintained.time.filter((u, i) => u === t && nonMaintained.event[i]).length,
  );
  const z = 1.959963984540054;
  let s = 1;
  let greenwood = 0;
  const byHand = times.map((_, j) => {
    const n = atRisk[j]!;
    const d = deaths[j]!;
    s *= 1 - d / n;
    greenwood += d / (n * (n - d));
    const se = Math.sqrt(greenwood);
    return { s, stdErr: s * se, lower: s * Math.exp(-z * se), upper: Math.min(1, s * Math.exp(z * se)) };
  });

  it('has the risk sets counted from the data: 12, 10, 8, 6, 5, 4, 3, 2, 1', () => {
    expect(atRisk).toEqual([12, 10, 8, 6, 5, 4, 3, 2, 1]);
    expect(curve.time).toEqual(times);
    expect(curve.nRisk).toEqual(atRisk);
    expect(curve.nEvent).toEqual(deaths);
  });

  it('matches the survival of MODEL.md §9 to 1e-4 (as printed there) and the hand product to 1e-12', () => {
    expectAllClose(
      curve.survival,
      [0.8333, 0.6667, 0.5833, 0.4861, 0.3889, 0.2917, 0.1944, 0.0972, 0],
      0.5e-4,
    );
    expectAllClose(
      curve.survival,
      byHand.map((row) => row.s),
      1e-12,
    );
  });

  it('matches Greenwood std.err and limits computed by hand (to 1e-5), with NaN once S = 0', () => {
    const beforeZero = byHand.slice(0, 8);
    expectAllClose(
      curve.stdErr.slice(0, 8),
      beforeZero.map((row) => row.stdErr),
      1e-5,
    );
    expectAllClose(
      curve.lower.slice(0, 8),
      beforeZero.map((row) => row.lower),
      1e-5,
    );
    expectAllClose(
      curve.upper.slice(0, 8),
      beforeZero.map((row) => row.upper),
      1e-5,
    );
    // The values R prints (summary(fit), survival 3.5-3), rounded there to 5-6 digits:
    expectAllClose(
      curve.stdErr.slice(0, 8),
      [0.107583, 0.136083, 0.142319, 0.14813, 0.146986, 0.138715, 0.121875, 0.091866],
      1e-5,
    );
    expectAllClose(
      curve.lower.slice(0, 8),
      [0.64704, 0.44685, 0.36161, 0.26752, 0.1854, 0.11483, 0.05692, 0.01526],
      1e-5,
    );
    expectAllClose(
      curve.upper.slice(0, 8),
      [1, 0.99463, 0.941, 0.88332, 0.81574, 0.74082, 0.66422, 0.61955],
      1e-5,
    );
    // At 45 the last subject dies: n = d, Greenwood's term is infinite; R shows std.err NaN, limits NA.
    expect(curve.survival[8]).toBe(0);
    expect(curve.stdErr[8]).toBeNaN();
    expect(curve.lower[8]).toBeNaN();
    expect(curve.upper[8]).toBeNaN();
  });

  it('has median 23 with 95% CI 8 to NA', () => {
    expect(medianSurvival(curve)).toEqual({ median: 23, lower: 8, upper: null });
    expect(medianSurvival(curve, { rule: 'print' })).toEqual({ median: 23, lower: 8, upper: null });
  });
});

describe('aml log-rank (survdiff)', () => {
  const test = logRank([maintained, nonMaintained]);

  it('has observed 7 / 11 and expected 10.69 / 7.31', () => {
    expect(test.observed).toEqual([7, 11]);
    expectAllClose(test.expected, [10.69, 7.31], 0.005);
    expectAllClose(test.expected, [10.6893359923, 7.3106640077], 1e-9); // R, 12 digits
  });

  it('has χ² = 3.3964 on 1 df, p = 0.0653', () => {
    expect(test.df).toBe(1);
    expect(test.chiSq).toBeCloseTo(3.3964, 4);
    expect(test.pValue).toBeCloseTo(0.0653, 4);
    expect(test.chiSq).toBeCloseTo(3.39638869898, 10); // R, 12 digits
    expect(test.pValue).toBeCloseTo(0.0653393220405, 12);
    expect(test.variance[0]![0]).toBeCloseTo(4.00755074594, 10);
  });
});

describe('aml restricted mean survival (print(fit, rmean = tau))', () => {
  // Area under each step function by hand: [0, t_1) at height 1, then each interval at its S.
  it('maintained arm to tau = 161: 52.645, se 19.83 — both recomputed by hand', () => {
    const curve = kaplanMeier(maintained);
    const s = curve.survival;
    const area =
      9 * 1 +
      (13 - 9) * s[0]! +
      (18 - 13) * s[1]! +
      (23 - 18) * s[2]! +
      (31 - 23) * s[3]! +
      (34 - 31) * s[4]! +
      (48 - 34) * s[5]! +
      (161 - 48) * s[6]!;
    // Var = Σ_j A_j² d_j / (n_j (n_j − d_j)), A_j = area under S from t_j to tau.
    const tail = (from: number) => {
      const cuts = [9, 13, 18, 23, 31, 34, 48, 161];
      let a = 0;
      for (let j = from; j < 7; j++) a += (cuts[j + 1]! - cuts[j]!) * s[j]!;
      return a;
    };
    const n = [11, 10, 8, 7, 5, 4, 2];
    let variance = 0;
    for (let j = 0; j < 7; j++) variance += (tail(j) ** 2 * 1) / (n[j]! * (n[j]! - 1));

    const result = rmst(curve, 161);
    expect(result.rmst).toBeCloseTo(area, 12);
    expect(result.stdErr).toBeCloseTo(Math.sqrt(variance), 12);
    expect(result.rmst).toBeCloseTo(52.645, 3);
    expect(result.stdErr).toBeCloseTo(19.83, 2);
  });

  it('non-maintained arm to tau = 45: 22.708, se 4.181 — the n = d term at 45 counts zero, as in R', () => {
    const curve = kaplanMeier(nonMaintained);
    const s = curve.survival;
    const cuts = [5, 8, 12, 23, 27, 30, 33, 43, 45];
    let area = 5;
    for (let j = 0; j < 8; j++) area += (cuts[j + 1]! - cuts[j]!) * s[j]!;
    const d = [2, 2, 1, 1, 1, 1, 1, 1];
    const n = [12, 10, 8, 6, 5, 4, 3, 2];
    let variance = 0;
    for (let j = 0; j < 8; j++) {
      let tail = 0;
      for (let i = j; i < 8; i++) tail += (cuts[i + 1]! - cuts[i]!) * s[i]!;
      variance += (tail ** 2 * d[j]!) / (n[j]! * (n[j]! - d[j]!));
    }

    const result = rmst(curve, 45);
    expect(result.rmst).toBeCloseTo(area, 12);
    expect(result.stdErr).toBeCloseTo(Math.sqrt(variance), 12);
    expect(result.rmst).toBeCloseTo(22.708, 3);
    expect(result.stdErr).toBeCloseTo(4.181, 3);
    // The curve is 0 from 45 on, so any later tau gives the same mean (R prints 22.708 at tau = 161 too).
    expect(rmst(curve, 161).rmst).toBeCloseTo(area, 12);
  });
});
