import { describe, expect, it } from 'vitest';
import type { SaltelliOutputs, SobolIndices } from '../src/index.js';
import { SensitivityInputError, sobolIndices } from '../src/index.js';
import { seededUniform } from '../src/random.js';

/**
 * Saltelli's scheme on independent uniform rows (stats depends on nothing of ours, so no Sobol
 * points here): A and B are n × d uniform matrices on `ranges`, AB_i is A with column i from B.
 */
function saltelliOutputs(
  f: (x: number[]) => number,
  ranges: [number, number][],
  n: number,
  seed: number,
): SaltelliOutputs {
  const uniform = seededUniform(seed);
  const draw = () => ranges.map(([lo, hi]) => lo + (hi - lo) * uniform());
  const a = Array.from({ length: n }, draw);
  const b = Array.from({ length: n }, draw);
  return {
    a: a.map(f),
    b: b.map(f),
    ab: ranges.map((_, i) => a.map((row, j) => f(row.map((x, k) => (k === i ? b[j]![k]! : x))))),
  };
}

/** Ishigami & Homma (1990): sin x1 + a sin² x2 + b x3⁴ sin x1 on [−π, π]³. */
const ISHIGAMI_A = 7;
const ISHIGAMI_B = 0.1;
const ishigami = ([x1, x2, x3]: number[]) =>
  Math.sin(x1!) + ISHIGAMI_A * Math.sin(x2!) ** 2 + ISHIGAMI_B * x3! ** 4 * Math.sin(x1!);

/** Its analytic partial variances (Sobol' & Levitan 1999; Saltelli et al. 2008, §4.8). */
function ishigamiIndices() {
  const [a, b, pi4] = [ISHIGAMI_A, ISHIGAMI_B, Math.PI ** 4];
  const v1 = 0.5 * (1 + (b * pi4) / 5) ** 2;
  const v2 = a ** 2 / 8;
  const v13 = b ** 2 * pi4 ** 2 * (1 / 18 - 1 / 50);
  const v = v1 + v2 + v13;
  return { first: [v1 / v, v2 / v, 0], total: [(v1 + v13) / v, v2 / v, v13 / v] };
}

/** Sobol's G function: Π (|4x_i − 2| + a_i)/(1 + a_i) on [0, 1]^d; small a_i, important factor. */
const G_A = [0, 1, 4.5, 9, 99, 99];
const gFunction = (x: number[]) =>
  x.reduce((p, xi, i) => (p * (Math.abs(4 * xi - 2) + G_A[i]!)) / (1 + G_A[i]!), 1);

/** V_i = 1/(3(1+a_i)²), V = Π(1+V_i) − 1, ST_i = V_i Π_{j≠i}(1+V_j)/V (Saltelli et al. 2010, §4). */
function gIndices() {
  const partial = G_A.map((a) => 1 / (3 * (1 + a) ** 2));
  const product = partial.reduce((p, vi) => p * (1 + vi), 1);
  const v = product - 1;
  return {
    first: partial.map((vi) => vi / v),
    total: partial.map((vi) => (vi * product) / (1 + vi) / v),
  };
}

function expectWithinIntervals(result: SobolIndices, analytic: { first: number[]; total: number[] }) {
  result.first.forEach(({ lower, upper }, i) => {
    expect(lower, `S${i + 1} lower`).toBeLessThanOrEqual(analytic.first[i]!);
    expect(upper, `S${i + 1} upper`).toBeGreaterThanOrEqual(analytic.first[i]!);
  });
  result.total.forEach(({ lower, upper }, i) => {
    expect(lower, `ST${i + 1} lower`).toBeLessThanOrEqual(analytic.total[i]!);
    expect(upper, `ST${i + 1} upper`).toBeGreaterThanOrEqual(analytic.total[i]!);
  });
}

/** first ≤ total up to sampling error: the two intervals overlap. */
function expectFirstNotAboveTotal(result: SobolIndices) {
  result.first.forEach((first, i) => {
    expect(first.lower).toBeLessThanOrEqual(result.total[i]!.upper);
  });
}

const pi: [number, number] = [-Math.PI, Math.PI];
const N = 2 ** 13;

/**
 * All 2d intervals must hold at once, so each is a Bonferroni 1 − 0.05/(2d) interval: the family
 * then covers every analytic value with probability ≥ 95%, whatever the seed (a 95% interval each
 * would miss one of 12 about half the time). 4000 replicates put ~8 in each tail at d = 6.
 */
const familyOptions = (dims: number, seed: number) => ({
  seed,
  bootstrap: 4000,
  level: 1 - 0.05 / (2 * dims),
});

describe('sobolIndices: analytic test functions', () => {
  it('the Ishigami analytic indices are the published ones', () => {
    const { first, total } = ishigamiIndices();
    expect(first.map((s) => +s.toFixed(4))).toEqual([0.3139, 0.4424, 0]);
    expect(total.map((s) => +s.toFixed(4))).toEqual([0.5576, 0.4424, 0.2437]);
  });

  it('Ishigami (a = 7, b = 0.1): the intervals contain the analytic indices', () => {
    const result = sobolIndices(saltelliOutputs(ishigami, [pi, pi, pi], N, 1), familyOptions(3, 11));
    expectWithinIntervals(result, ishigamiIndices());
    expectFirstNotAboveTotal(result);
    // The intervals are informative, not merely wide: widths of a few hundredths at N = 2^13.
    for (const { lower, upper } of [...result.first, ...result.total])
      expect(upper - lower).toBeLessThan(0.15);
    expect(result.replicates).toBe(4000);
  });

  it("Sobol's G function (a = 0, 1, 4.5, 9, 99, 99): the intervals contain the analytic indices", () => {
    const unit: [number, number][] = G_A.map(() => [0, 1]);
    const result = sobolIndices(saltelliOutputs(gFunction, unit, N, 2), familyOptions(6, 12));
    expectWithinIntervals(result, gIndices());
    expectFirstNotAboveTotal(result);
    // The ranking the a_i impose: x1 ≫ x2 ≫ x3 > x4 > the inert x5, x6.
    expect(result.total[0]!.lower).toBeGreaterThan(result.total[1]!.upper);
    expect(result.total[1]!.lower).toBeGreaterThan(result.total[2]!.upper);
    expect(result.total[4]!.upper).toBeLessThan(0.01);
  });

  it('is deterministic for a seed and the bootstrap depends on it', () => {
    const outputs = saltelliOutputs(ishigami, [pi, pi, pi], 512, 3);
    const once = sobolIndices(outputs, { seed: 5, bootstrap: 200 });
    expect(sobolIndices(outputs, { seed: 5, bootstrap: 200 })).toEqual(once);
    const other = sobolIndices(outputs, { seed: 6, bootstrap: 200 });
    expect(other.first.map((s) => s.value)).toEqual(once.first.map((s) => s.value));
    expect(other.first[0]!.lower).not.toBe(once.first[0]!.lower);
  });

  it('computes the estimators exactly on a small hand-checked case', () => {
    // f(A) = [1, 3], f(B) = [2, 4], f(AB_0) = [2, 3]: pooled mean 2.5, V = (2.25+0.25+0.25+2.25)/4 = 1.25.
    const result = sobolIndices({ a: [1, 3], b: [2, 4], ab: [[2, 3]] }, { bootstrap: 10 });
    expect(result.variance).toBe(1.25);
    // S = mean(f(B)·(f(AB) − f(A))) / V = ((2·1 + 4·0)/2) / 1.25 = 0.8
    expect(result.first[0]!.value).toBeCloseTo(0.8, 15);
    // ST = mean((f(A) − f(AB))²)/2 / V = ((1 + 0)/2)/2 / 1.25 = 0.2
    expect(result.total[0]!.value).toBeCloseTo(0.2, 15);
  });

  it('narrower level, narrower interval', () => {
    const outputs = saltelliOutputs(ishigami, [pi, pi, pi], 1024, 4);
    const wide = sobolIndices(outputs, { seed: 1, bootstrap: 400, level: 0.99 }).total[0]!;
    const narrow = sobolIndices(outputs, { seed: 1, bootstrap: 400, level: 0.5 }).total[0]!;
    expect(narrow.lower).toBeGreaterThan(wide.lower);
    expect(narrow.upper).toBeLessThan(wide.upper);
  });
});

describe('sobolIndices: bad input says what is wrong', () => {
  const rejects = (outputs: unknown, options: object, message: RegExp) => {
    expect(() => sobolIndices(outputs as SaltelliOutputs, options)).toThrow(SensitivityInputError);
    expect(() => sobolIndices(outputs as SaltelliOutputs, options)).toThrow(message);
  };

  it('mismatched lengths', () => {
    rejects(
      { a: [1, 2, 3], b: [1, 2], ab: [[1, 2, 3]] },
      {},
      /a and b must have the same length \(got a 3, b 2\)/,
    );
    rejects(
      { a: [1, 2], b: [3, 4], ab: [[1, 2], [1]] },
      {},
      /ab\[1\] must have the length of a \(got ab\[1\] 1, a 2\)/,
    );
  });

  it('too few rows or no factor', () => {
    rejects({ a: [1], b: [2], ab: [[1]] }, {}, /at least 2 base rows, got 1/);
    rejects({ a: [1, 2], b: [3, 4], ab: [] }, {}, /one array f\(AB_i\) per factor/);
  });

  it('zero variance', () => {
    rejects(
      { a: [0.5, 0.5, 0.5], b: [0.5, 0.5, 0.5], ab: [[0.5, 0.5, 0.5]] },
      {},
      /zero variance \(all 6 values are 0.5\)/,
    );
  });

  it('non-finite outputs, bad options', () => {
    rejects({ a: [1, Number.NaN], b: [1, 2], ab: [[1, 2]] }, {}, /a\[1\] is NaN; outputs must be finite/);
    const fine = { a: [1, 2], b: [3, 4], ab: [[1, 2]] };
    rejects(fine, { bootstrap: 0 }, /bootstrap must be an integer ≥ 1, got 0/);
    rejects(fine, { seed: -1 }, /seed must be a non-negative safe integer/);
    rejects(fine, { level: 1 }, /level must be in \(0, 1\), got 1/);
  });
});
