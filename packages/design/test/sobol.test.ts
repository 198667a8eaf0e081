import { describe, expect, it } from 'vitest';
import { isPowerOfTwo, SOBOL_MAX_DIMENSIONS, sobolPoints, unscrambledSobolPoints } from '../src/index.js';
import { joeKuoRows } from '../src/joeKuo.js';

/** Polynomial multiplication mod p over GF(2), polynomials as bit masks. */
function mulMod(a: number, b: number, p: number, degree: number): number {
  let product = 0;
  for (; b > 0; b >>>= 1) {
    if (b & 1) product ^= a;
    a <<= 1;
    if (a & (1 << degree)) a ^= p;
  }
  return product;
}

function powX(exponent: number, p: number, degree: number): number {
  let result = 1;
  let base = degree === 1 ? 1 : 2; // x mod p (x ≡ 1 mod x+1)
  for (; exponent > 0; exponent >>>= 1) {
    if (exponent & 1) result = mulMod(result, base, p, degree);
    base = mulMod(base, base, p, degree);
  }
  return result;
}

function isPrimitive(degree: number, coefficients: number): boolean {
  const p = (1 << degree) | (coefficients << 1) | 1;
  const order = 2 ** degree - 1;
  if (powX(order, p, degree) !== 1) return false;
  for (let q = 2; q <= order; q++) {
    if (order % q === 0 && [...Array(q).keys()].slice(2).every((f) => q % f !== 0)) {
      if (powX(order / q, p, degree) === 1) return false;
    }
  }
  return true;
}

function binCounts(values: number[], bins: number): number[] {
  const counts = new Array<number>(bins).fill(0);
  for (const x of values) counts[Math.floor(x * bins)]!++;
  return counts;
}

describe('embedded Joe–Kuo direction numbers', () => {
  it('cover at least every model parameter and its σ (~40)', () => {
    expect(SOBOL_MAX_DIMENSIONS).toBe(64);
  });

  it('list, per degree, the primitive polynomials in increasing order with odd m_k < 2^k', () => {
    const byDegree = new Map<number, number[]>();
    for (const row of joeKuoRows) {
      expect(row.initial).toHaveLength(row.degree);
      row.initial.forEach((m, k) => {
        expect(m % 2).toBe(1);
        expect(m).toBeLessThan(2 ** (k + 1));
      });
      byDegree.set(row.degree, [...(byDegree.get(row.degree) ?? []), row.coefficients]);
    }
    for (const [degree, listed] of byDegree) {
      const primitive = Array.from({ length: 2 ** (degree - 1) }, (_, a) => a).filter((a) =>
        isPrimitive(degree, a),
      );
      expect(listed).toEqual(primitive.slice(0, listed.length));
      // Every degree but the last in the table is complete.
      if (degree < 9) expect(listed).toHaveLength(primitive.length);
    }
  });
});

describe('unscrambledSobolPoints', () => {
  const points = unscrambledSobolPoints(1024, 64);

  it('starts with the canonical points 0, 0.5, (0.75, 0.25), (0.25, 0.75)', () => {
    expect(points[0]!.every((x) => x === 0)).toBe(true);
    expect(points[1]!.every((x) => x === 0.5)).toBe(true);
    expect(points[2]!.slice(0, 2)).toEqual([0.75, 0.25]);
    expect(points[3]!.slice(0, 2)).toEqual([0.25, 0.75]);
  });

  // Reference: scipy.stats.qmc.Sobol(d=64, scramble=False), which reads the same Joe–Kuo file.
  it.each([
    [4, [0.375, 0.375, 0.625, 0.625, 0.875, 0.875, 0.125]],
    [7, [0.125, 0.625, 0.375, 0.875, 0.125, 0.625, 0.375]],
    [100, [0.4140625, 0.2578125, 0.7734375, 0.6953125, 0.1328125, 0.4609375, 0.6484375]],
    [
      1000,
      [0.2197265625, 0.0966796875, 0.5185546875, 0.0693359375, 0.4794921875, 0.2587890625, 0.4462890625],
    ],
    [
      1023,
      [0.0009765625, 0.7529296875, 0.6123046875, 0.8505859375, 0.6982421875, 0.7900390625, 0.0400390625],
    ],
  ])('matches SciPy at point %i in dimensions 1, 2, 3, 10, 40, 63, 64', (i, expected) => {
    const point = points[i]!;
    expect([0, 1, 2, 9, 39, 62, 63].map((d) => point[d])).toEqual(expected);
  });

  it('rejects more dimensions than the table holds', () => {
    expect(() => unscrambledSobolPoints(4, 65)).toThrow(/dims must be ≤ 64/);
  });
});

describe('sobolPoints (scrambled)', () => {
  it('is reproducible from the seed and changes with it', () => {
    expect(sobolPoints(64, 5, 42)).toEqual(sobolPoints(64, 5, 42));
    expect(sobolPoints(64, 5, 42)).not.toEqual(sobolPoints(64, 5, 43));
    expect(sobolPoints(64, 5, 42)).not.toEqual(unscrambledSobolPoints(64, 5));
  });

  it('keeps a prefix: fewer points are the first points of more', () => {
    expect(sobolPoints(100, 4, 9)).toEqual(sobolPoints(256, 4, 9).slice(0, 100));
  });

  it.each([
    [1, 3],
    [16, 7],
    [256, 40],
    [1024, 64],
  ])('for n = %i in %i dims, each 1-D projection has one point in each of n equal bins', (n, dims) => {
    for (const seed of [1, 2]) {
      const points = sobolPoints(n, dims, seed);
      for (let d = 0; d < dims; d++) {
        const column = points.map((p) => p[d]!);
        for (const x of column) expect(x >= 0 && x < 1).toBe(true);
        expect(binCounts(column, n).every((c) => c === 1)).toBe(true);
      }
    }
  });

  it('keeps the (0, m, 2)-net property of dimensions 1–2: every 2^a × 2^b box with a + b = m holds one point', () => {
    const m = 8;
    const points = sobolPoints(2 ** m, 2, 5);
    for (let a = 0; a <= m; a++) {
      const cells = new Set(
        points.map(([x, y]) => `${Math.floor(x! * 2 ** a)},${Math.floor(y! * 2 ** (m - a))}`),
      );
      expect(cells.size).toBe(2 ** m);
    }
  });

  it('has every coordinate mean within 1/(2n) of 1/2 (implied by one point per bin)', () => {
    const n = 512;
    const points = sobolPoints(n, 20, 77);
    for (let d = 0; d < 20; d++) {
      const mean = points.reduce((s, p) => s + p[d]!, 0) / n;
      expect(Math.abs(mean - 0.5)).toBeLessThanOrEqual(1 / (2 * n));
    }
  });

  it('integrates a smooth function with error far below plain Monte Carlo at n = 1024', () => {
    // f(x) = exp(mean of x) over [0,1)^5: integral and variance are known in closed form.
    const d = 5;
    const n = 1024;
    const integral = (d * (Math.exp(1 / d) - 1)) ** d;
    const secondMoment = ((d / 2) * (Math.exp(2 / d) - 1)) ** d;
    const monteCarloError = Math.sqrt((secondMoment - integral ** 2) / n);
    const f = (x: number[]) => Math.exp(x.reduce((s, v) => s + v, 0) / d);
    const seeds = [1, 2, 3, 4, 5, 6, 7, 8];
    const squaredErrors = seeds.map((seed) => {
      const estimate = sobolPoints(n, d, seed).reduce((s, x) => s + f(x), 0) / n;
      return (estimate - integral) ** 2;
    });
    const rmse = Math.sqrt(squaredErrors.reduce((s, e) => s + e, 0) / seeds.length);
    expect(rmse).toBeLessThan(monteCarloError / 100);
  });

  it('handles n = 0 and reports power-of-two sizes', () => {
    expect(sobolPoints(0, 3, 1)).toEqual([]);
    expect([1, 2, 1024, 2 ** 31].every(isPowerOfTwo)).toBe(true);
    expect([0, 3, 1000, 2.5, -4].some(isPowerOfTwo)).toBe(false);
  });
});
