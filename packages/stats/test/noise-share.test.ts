import { describe, expect, it } from 'vitest';
import {
  cohortNoiseShare,
  NOISE_SHARE_WARNING_THRESHOLD,
  SensitivityInputError,
  sobolIndices,
} from '../src/index.js';
import { seededUniform } from '../src/random.js';

describe('cohortNoiseShare', () => {
  const estimates = [0.1, 0.3, 0.5, 0.7, 0.9]; // sample variance 0.4 / 4 = 0.1

  it('is the mean within-point variance over the variance of the estimates', () => {
    const result = cohortNoiseShare({ estimates, variances: [0.001, 0.002, 0.003, 0.002, 0.002] });
    expect(result.totalVariance).toBeCloseTo(0.1, 15);
    expect(result.meanWithinVariance).toBeCloseTo(0.002, 15);
    expect(result.share).toBeCloseTo(0.02, 14);
    expect(result.warning).toBeUndefined();
  });

  it(`warns above ${NOISE_SHARE_WARNING_THRESHOLD} (or a threshold given)`, () => {
    const noisy = cohortNoiseShare({ estimates, variances: estimates.map(() => 0.01) });
    expect(noisy.share).toBeCloseTo(0.1, 14);
    expect(noisy.warning).toBe(
      "cohort noise is 10.0% of this metric's variance across points (above 5.0%): first-order indices are biased low and total indices high; add patients per point",
    );
    expect(
      cohortNoiseShare({ estimates, variances: estimates.map(() => 0.01) }, { threshold: 0.2 }).warning,
    ).toBeUndefined();
  });

  it('estimates the noise share of binomial survival estimates', () => {
    // 2000 points with true survival spread evenly over [0.1, 0.9], 200 patients each: the noise
    // variance is mean p(1−p)/n = 0.2233/200, the signal variance (0.8)²/12 = 0.0533.
    const uniform = seededUniform(8);
    const n = 200;
    const truth = Array.from({ length: 2000 }, (_, k) => 0.1 + (0.8 * (k + 0.5)) / 2000);
    const estimates = truth.map((p) => {
      let alive = 0;
      for (let i = 0; i < n; i++) if (uniform() < p) alive++;
      return alive / n;
    });
    const variances = estimates.map((p) => (p * (1 - p)) / n);
    const noise = truth.reduce((s, p) => s + p * (1 - p), 0) / truth.length / n;
    const signal = truth.reduce((s, p) => s + (p - 0.5) ** 2, 0) / truth.length;
    const { share } = cohortNoiseShare({ estimates, variances });
    // ≈ 0.0205; the estimate's relative error with 2000 points is ~3%, so 10% is a safe bound.
    expect(share).toBeGreaterThan((0.9 * noise) / (signal + noise));
    expect(share).toBeLessThan((1.1 * noise) / (signal + noise));
  });

  it('says how noise biases the indices: S_i·(1 − share), ST_i·(1 − share) + share', () => {
    // Ishigami plus independent noise of variance σ² = V/4: share = σ²/(V + σ²) = 0.2.
    const f = ([x1, x2, x3]: number[]) =>
      Math.sin(x1!) + 7 * Math.sin(x2!) ** 2 + 0.1 * x3! ** 4 * Math.sin(x1!);
    const pi4 = Math.PI ** 4;
    const v1 = 0.5 * (1 + (0.1 * pi4) / 5) ** 2;
    const v2 = 49 / 8;
    const v13 = 0.01 * pi4 ** 2 * (1 / 18 - 1 / 50);
    const v = v1 + v2 + v13;
    const sigma = Math.sqrt(v / 4);
    const uniform = seededUniform(21);
    const gaussian = () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
    const noisy = (x: number[]) => f(x) + sigma * gaussian();
    const n = 2 ** 13;
    const draw = () => [0, 1, 2].map(() => Math.PI * (2 * uniform() - 1));
    const a = Array.from({ length: n }, draw);
    const b = Array.from({ length: n }, draw);
    const outputs = {
      a: a.map(noisy),
      b: b.map(noisy),
      ab: [0, 1, 2].map((i) => a.map((row, j) => noisy(row.map((x, k) => (k === i ? b[j]![k]! : x))))),
    };
    const share = 0.2;
    const result = sobolIndices(outputs, { seed: 3, bootstrap: 2000, level: 1 - 0.05 / 6 });
    const first = [v1 / v, v2 / v, 0].map((s) => s * (1 - share));
    const total = [(v1 + v13) / v, v2 / v, v13 / v].map((s) => s * (1 - share) + share);
    result.first.forEach(({ lower, upper }, i) => {
      expect(lower).toBeLessThanOrEqual(first[i]!);
      expect(upper).toBeGreaterThanOrEqual(first[i]!);
    });
    result.total.forEach(({ lower, upper }, i) => {
      expect(lower).toBeLessThanOrEqual(total[i]!);
      expect(upper).toBeGreaterThanOrEqual(total[i]!);
    });
  });

  it('bad input says what is wrong', () => {
    const rejects = (input: unknown, message: RegExp) => {
      expect(() => cohortNoiseShare(input as never)).toThrow(SensitivityInputError);
      expect(() => cohortNoiseShare(input as never)).toThrow(message);
    };
    rejects({ estimates: [1, 2], variances: [0.1] }, /same length \(got estimates 2, variances 1\)/);
    rejects({ estimates: [1], variances: [0.1] }, /at least 2 points, got 1/);
    rejects({ estimates: [1, 1, 1], variances: [0, 0, 0] }, /zero variance across the 3 points/);
    rejects({ estimates: [1, 2], variances: [0.1, -1] }, /variances\[1\] is -1; must be a finite number ≥ 0/);
    rejects({ estimates: [1, Number.NaN], variances: [0.1, 0.1] }, /estimates\[1\] is NaN/);
  });
});
