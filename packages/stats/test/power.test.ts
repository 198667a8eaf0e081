/**
 * Virtual-trial power: type-I error with identical arms, agreement with Schoenfeld's formula for exponential
 * arms of known hazard ratio, determinism, the work limits, and the interval/CDF helpers against R.
 */
import { describe, expect, it } from 'vitest';
import {
  clopperPearson,
  normalCdf,
  PowerInputError,
  seededUniform,
  virtualTrialPower,
} from '../src/index.js';

/** Exponential survival times with the given median, no censoring in the simulated cohort. */
function exponentialCohort(n: number, medianDays: number, seed: number) {
  const uniform = seededUniform(seed);
  const rate = Math.LN2 / medianDays;
  const time = Array.from({ length: n }, () => -Math.log(1 - uniform()) / rate);
  return { time, event: time.map(() => true) };
}

/** P(event seen by the analysis) for exponential times, uniform entry over A, analysis at A + F. */
function eventShare(rate: number, accrual: number, followUp: number): number {
  return 1 - (Math.exp(-rate * followUp) - Math.exp(-rate * (accrual + followUp))) / (rate * accrual);
}

const design = { alpha: 0.05, accrualDays: 365, followUpDays: 365 };
/** Monte Carlo standard error of a proportion p estimated from r replicates. */
const monteCarloError = (p: number, r: number) => Math.sqrt((p * (1 - p)) / r);

describe('virtualTrialPower', () => {
  it('with identical arms, rejects at the rate alpha (type-I error)', () => {
    const cohort = exponentialCohort(5000, 365, 1);
    const result = virtualTrialPower({
      ...design,
      reference: cohort,
      treatment: cohort,
      patientsPerArm: [50, 200],
      replicates: 2000,
      seed: 42,
    });
    expect(result.hazardRatio).toBe(1);
    for (const row of result.rows) {
      expect(row.lower).toBeLessThanOrEqual(0.05);
      expect(row.upper).toBeGreaterThanOrEqual(0.05);
      expect(Math.abs(row.power - 0.05)).toBeLessThan(3 * monteCarloError(0.05, 2000));
      expect(row.schoenfeld).toBeCloseTo(0.025, 12); // one tail of a zero effect
    }
  });

  it('with exponential arms of hazard ratio 0.6, agrees with Schoenfeld within Monte Carlo error', () => {
    const hazardRatio = 0.6;
    const median = 365;
    const reference = exponentialCohort(40_000, median, 2);
    const treatment = exponentialCohort(40_000, median / hazardRatio, 3);
    const replicates = 1000;
    const result = virtualTrialPower({
      ...design,
      reference,
      treatment,
      patientsPerArm: [40, 80, 160],
      replicates,
      seed: 7,
    });
    expect(Math.abs(Math.log(result.hazardRatio / hazardRatio))).toBeLessThan(0.03); // cohort HR ≈ 0.6
    const rate = Math.LN2 / median;
    const table = result.rows.map((row) => {
      const events =
        row.patientsPerArm *
        (eventShare(rate, design.accrualDays, design.followUpDays) +
          eventShare(rate * hazardRatio, design.accrualDays, design.followUpDays));
      const exact = normalCdf(-Math.log(hazardRatio) * Math.sqrt(events / 4) - 1.959963984540054);
      return { ...row, trueSchoenfeld: exact, trueEvents: events };
    });
    for (const row of table) {
      // The expected events from the cohort match the analytic ones (cohort sampling error only).
      expect(Math.abs(row.expectedEvents / row.trueEvents - 1)).toBeLessThan(0.02);
      // Schoenfeld is an approximation: allow the Monte Carlo error (3 SE) plus 0.03 for the formula.
      expect(Math.abs(row.power - row.trueSchoenfeld)).toBeLessThan(
        3 * monteCarloError(row.trueSchoenfeld, replicates) + 0.03,
      );
      expect(Math.abs(row.schoenfeld - row.trueSchoenfeld)).toBeLessThan(0.03);
    }
    expect(table.map((row) => row.power)).toEqual([...table.map((row) => row.power)].sort((a, b) => a - b));
  });

  it('is deterministic for a seed, and takes per-time counts as cohorts', () => {
    const reference = exponentialCohort(500, 300, 4);
    const treatment = exponentialCohort(500, 450, 5);
    const run = (seed: number) =>
      virtualTrialPower({ ...design, reference, treatment, patientsPerArm: [30], replicates: 200, seed });
    expect(run(11)).toEqual(run(11));
    // Counts of the same cohort: the same cells in the same order, so the same draws.
    const counts = (cohort: { time: number[] }) => {
      const times = [...cohort.time].sort((a, b) => a - b);
      return { time: times, nEvent: times.map(() => 1), nCensor: times.map(() => 0) };
    };
    const fromCounts = virtualTrialPower({
      ...design,
      reference: counts(reference),
      treatment: counts(treatment),
      patientsPerArm: [30],
      replicates: 200,
      seed: 11,
    });
    expect(fromCounts).toEqual(run(11));
    expect(run(12).rows[0]!.rejections).not.toBe(run(11).rows[0]!.rejections);
  });

  it('names the limit a request breaks', () => {
    const cohort = exponentialCohort(50, 300, 6);
    const request = { ...design, reference: cohort, treatment: cohort, seed: 1 };
    const attempt = (extra: object) => {
      try {
        virtualTrialPower({ ...request, patientsPerArm: [100], replicates: 100, ...extra });
        return null;
      } catch (error) {
        expect(error).toBeInstanceOf(PowerInputError);
        return (error as PowerInputError).message;
      }
    };
    expect(attempt({ replicates: 100_000, patientsPerArm: [1000] })).toMatch(
      /replicates × patientsPerArm draws 200000000 patients .* over the limit 50000000 \(maxPatientDraws\)/,
    );
    expect(attempt({ replicates: 0 })).toMatch(
      /replicates is 0; must be an integer from 1 to 100000 \(maxReplicates\)/,
    );
    expect(attempt({ patientsPerArm: [100, 1] })).toMatch(
      /patientsPerArm\[1\] is 1; must be an integer from 2/,
    );
    expect(attempt({ alpha: 1 })).toMatch(/alpha is 1; must be in \(0, 1\)/);
    expect(attempt({ accrualDays: -1 })).toMatch(/accrualDays is -1/);
  });
});

describe('interval helpers equal R', () => {
  it('clopperPearson equals binom.test(x, 1000)$conf.int', () => {
    const r: [number, number, number][] = [
      [0, 0, 0.00368208389686567],
      [1, 2.53174874912941e-5, 0.00555892427982663],
      [7, 0.00281885875962052, 0.0143691949789186],
      [50, 0.0373353976046618, 0.0653904879154936],
      [999, 0.994441075720173, 0.999974682512509],
      [1000, 0.996317916103134, 1],
    ];
    for (const [x, lower, upper] of r) {
      const [l, u] = clopperPearson(x, 1000);
      expect(Math.abs(l - lower)).toBeLessThan(1e-13);
      expect(Math.abs(u - upper)).toBeLessThan(1e-13);
    }
  });

  it('normalCdf equals pnorm', () => {
    const r = [6.2209605742717849e-16, 0.066807201268858071, 0.5, 0.61791142218895267, 0.99379033467422384];
    [-8, -1.5, 0, 0.3, 2.5].forEach((x, i) => {
      expect(Math.abs(normalCdf(x) - r[i]!) / r[i]!).toBeLessThan(1e-12);
    });
  });
});
