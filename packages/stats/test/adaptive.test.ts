import { describe, expect, it } from 'vitest';
import type { CohortRoundState } from '../src/index.js';
import { emptyCountTable, nextCohortRound, precisionHalfWidth, SensitivityInputError } from '../src/index.js';

/** Runs the rule with a half-width that is a function of the patients so far; returns the cohort sizes. */
function rounds(halfWidthAt: (patients: number) => number, initial = 200, max = 20_000, target = 0.01) {
  const sizes: number[] = [];
  let patients = 0;
  for (;;) {
    const decision = nextCohortRound({ halfWidth: halfWidthAt(patients), target, patients, initial, max });
    if (decision.stop) return { sizes, reason: decision.reason };
    patients = decision.total;
    sizes.push(patients);
  }
}

/** 95% Wald half-width of a proportion p from n patients (the expected one, no sampling noise). */
const wald = (p: number) => (n: number) => 1.959964 * Math.sqrt((p * (1 - p)) / n);

describe('nextCohortRound: doubling rounds', () => {
  it('starts with initial, doubles, and caps at max', () => {
    expect(rounds(wald(0.5))).toEqual({
      sizes: [200, 400, 800, 1600, 3200, 6400, 12_800],
      reason: 'precise', // 1.96·√(0.25/12 800) = 0.0087 ≤ 0.01
    });
    expect(rounds(() => 0.05)).toEqual({
      sizes: [200, 400, 800, 1600, 3200, 6400, 12_800, 20_000],
      reason: 'max',
    });
  });

  it('stops early near survival 0 or 1, at once when every patient had the same fate', () => {
    expect(rounds(wald(0.02))).toEqual({ sizes: [200, 400, 800], reason: 'precise' });
    expect(rounds(() => 0)).toEqual({ sizes: [200], reason: 'precise' });
  });

  it('saves patients against the fixed cohort with the same worst-case precision', () => {
    // The fixed cohort for half-width 0.01 at p = 0.5 is ⌈1.96² · 0.25 / 0.01²⌉ = 9604 patients a point.
    const fixed = Math.ceil((1.959964 ** 2 * 0.25) / 0.01 ** 2);
    expect(fixed).toBe(9604);
    const survival = [0.01, 0.02, 0.05, 0.1, 0.3, 0.5, 0.7, 0.9, 0.95, 0.99];
    const used = survival.map((p) => rounds(wald(p)).sizes.at(-1)!);
    expect(used).toEqual([400, 800, 3200, 6400, 12_800, 12_800, 12_800, 6400, 3200, 400]);
    const total = used.reduce((s, n) => s + n, 0);
    expect(total).toBe(59_200);
    // 38% fewer patients than 10 × 9604, for the same worst-case half-width.
    expect(total / (fixed * survival.length)).toBeCloseTo(0.616, 3);
  });

  it('never takes an unknown half-width (NaN) as precise', () => {
    expect(
      nextCohortRound({ halfWidth: Number.NaN, target: 0.01, patients: 200, initial: 200, max: 1000 }),
    ).toEqual({
      stop: false,
      add: 200,
      total: 400,
    });
    expect(
      nextCohortRound({ halfWidth: Number.NaN, target: 0.01, patients: 1000, initial: 200, max: 1000 }),
    ).toEqual({
      stop: true,
      reason: 'max',
    });
  });

  it('bad input says what is wrong', () => {
    const base: CohortRoundState = { halfWidth: 0.02, target: 0.01, patients: 200, initial: 200, max: 1000 };
    const rejects = (change: Partial<CohortRoundState>, message: RegExp) => {
      expect(() => nextCohortRound({ ...base, ...change })).toThrow(SensitivityInputError);
      expect(() => nextCohortRound({ ...base, ...change })).toThrow(message);
    };
    rejects({ target: 0 }, /target must be a finite number > 0, got 0/);
    rejects({ initial: 0 }, /initial must be an integer ≥ 1, got 0/);
    rejects({ max: 100 }, /max must be an integer ≥ initial \(200\), got 100/);
    rejects({ patients: 1001 }, /patients must be an integer in \[0, max = 1000\], got 1001/);
    rejects({ halfWidth: -0.1 }, /halfWidth must be ≥ 0 \(or NaN\), got -0.1/);
  });
});

describe('precisionHalfWidth: the 95% CI half-width the rule compares with the target', () => {
  // 10 patients, events at days 1 … 5, censored at 10 (5 of them).
  const counts = {
    time: Float64Array.from([1, 2, 3, 4, 5, 10]),
    nEvent: Int32Array.from([1, 1, 1, 1, 1, 0]),
    nCensor: Int32Array.from([0, 0, 0, 0, 0, 5]),
  };

  it('is 1.96 × Greenwood for survivalAt (S(5) = 0.5: √(0.25/10) without censoring before)', () => {
    expect(precisionHalfWidth(counts, { metric: 'survivalAt', at: 5 }, 10)).toBeCloseTo(
      1.959964 * Math.sqrt(0.025),
      5,
    );
  });

  it('is 0 when every patient has died (S = 0) or none has (S = 1), and NaN past the follow-up', () => {
    const allDead = {
      time: Float64Array.from([3]),
      nEvent: Int32Array.from([4]),
      nCensor: Int32Array.from([0]),
    };
    expect(precisionHalfWidth(allDead, { metric: 'survivalAt', at: 5 }, 10)).toBe(0);
    const noneDead = {
      time: Float64Array.from([10]),
      nEvent: Int32Array.from([0]),
      nCensor: Int32Array.from([4]),
    };
    expect(precisionHalfWidth(noneDead, { metric: 'survivalAt', at: 5 }, 10)).toBe(0);
    expect(precisionHalfWidth(counts, { metric: 'survivalAt', at: 20 }, 30)).toBeNaN();
  });

  it('is NaN for a median not reached (never precise), half the interval otherwise', () => {
    const notReached = {
      time: Float64Array.from([1, 10]),
      nEvent: Int32Array.from([1, 0]),
      nCensor: Int32Array.from([0, 9]),
    };
    expect(precisionHalfWidth(notReached, { metric: 'median' }, 10)).toBeNaN();
    expect(precisionHalfWidth(emptyCountTable(), { metric: 'rmst' }, 10)).toBeNaN();
    expect(precisionHalfWidth(counts, { metric: 'rmst', at: 10 }, 10)).toBeGreaterThan(0);
  });
});
