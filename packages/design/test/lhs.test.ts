import { describe, expect, it } from 'vitest';
import { latinHypercube } from '../src/index.js';

function strataOf(values: number[], n: number): number[] {
  return values.map((x) => Math.floor(x * n)).sort((a, b) => a - b);
}

describe('latinHypercube', () => {
  it.each([1, 7, 100, 1000])('puts exactly one point in each of the n strata on every axis (n = %i)', (n) => {
    const dims = 5;
    const points = latinHypercube(n, dims, 42);
    expect(points).toHaveLength(n);
    const everyStratum = Array.from({ length: n }, (_, k) => k);
    for (let d = 0; d < dims; d++) {
      const column = points.map((p) => p[d]!);
      for (const x of column) expect(x >= 0 && x < 1).toBe(true);
      expect(strataOf(column, n)).toEqual(everyStratum);
    }
  });

  it('is reproducible from the seed and changes with it', () => {
    expect(latinHypercube(50, 3, 7)).toEqual(latinHypercube(50, 3, 7));
    const a = latinHypercube(50, 3, 7);
    const b = latinHypercube(50, 3, 8);
    expect(a).not.toEqual(b);
    // Not merely one coordinate: most coordinates differ.
    const differing = a.flat().filter((x, i) => x !== b.flat()[i]).length;
    expect(differing).toBeGreaterThan(140);
  });

  it('pairs strata across axes at random (axes are not identical permutations)', () => {
    const points = latinHypercube(200, 2, 3);
    const sameStratum = points.filter((p) => Math.floor(p[0]! * 200) === Math.floor(p[1]! * 200)).length;
    // Independent permutations share on average 1 fixed point; identical ones would share 200.
    expect(sameStratum).toBeLessThan(8);
  });

  it('has coordinate means near 1/2 (one point per stratum bounds the error by 1/(2n))', () => {
    const n = 256;
    const points = latinHypercube(n, 4, 11);
    for (let d = 0; d < 4; d++) {
      const mean = points.reduce((s, p) => s + p[d]!, 0) / n;
      expect(Math.abs(mean - 0.5)).toBeLessThanOrEqual(1 / (2 * n));
    }
  });

  it('handles n = 0 and rejects bad sizes', () => {
    expect(latinHypercube(0, 3, 1)).toEqual([]);
    expect(() => latinHypercube(-1, 3, 1)).toThrow(RangeError);
    expect(() => latinHypercube(2.5, 3, 1)).toThrow(RangeError);
    expect(() => latinHypercube(3, 0, 1)).toThrow(RangeError);
    expect(() => latinHypercube(3, 2, -1)).toThrow(RangeError);
    expect(() => latinHypercube(3, 2, 0.5)).toThrow(RangeError);
  });
});
