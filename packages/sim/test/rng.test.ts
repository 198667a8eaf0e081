import { describe, expect, it } from 'vitest';
import { logFactorial, Rng } from '../src/index.js';

describe('Rng (xoshiro128**)', () => {
  it('matches the reference C implementation (known-answer vectors)', () => {
    const r = Rng.fromState(1, 2, 3, 4);
    const out = Array.from({ length: 10 }, () => r.nextUint32());
    expect(out).toEqual([
      11520, 0, 5927040, 70819200, 2031721883, 1637235492, 1287239034, 3734860849, 3729100597, 4258142804,
    ]);
    const r2 = Rng.fromState(0x9e3779b9, 0xdeadbeef, 0x01234567, 0xfedcba98);
    for (let i = 0; i < 1000; i++) r2.nextUint32();
    expect(Array.from({ length: 5 }, () => r2.nextUint32())).toEqual([
      568656337, 2414004550, 3241127498, 1750682006, 314511163,
    ]);
  });

  it('is deterministic in (seed, stream, substream) and reseed equals construction', () => {
    const a = new Rng(42, 7);
    const b = new Rng(42, 7);
    const xs = Array.from({ length: 100 }, () => a.uniform());
    expect(Array.from({ length: 100 }, () => b.uniform())).toEqual(xs);
    const c = new Rng(1, 1).reseed(42, 7);
    expect(Array.from({ length: 100 }, () => c.uniform())).toEqual(xs);
    expect(new Rng(42, 7, 1).uniform()).not.toBe(xs[0]);
  });

  it('hashes seeds above 2^32 (no truncation) and distinguishes seed from stream', () => {
    const first = (seed: number, stream: number) => new Rng(seed, stream).nextUint32();
    expect(first(2 ** 32 + 5, 0)).not.toBe(first(5, 0));
    expect(first(2 ** 53 - 1, 0)).not.toBe(first(2 ** 53 - 2, 0));
    expect(first(0, 1)).not.toBe(first(1, 0));
    expect(() => new Rng(-1, 0)).toThrow(RangeError);
    expect(() => new Rng(1.5, 0)).toThrow(RangeError);
    expect(() => new Rng(2 ** 53, 0)).toThrow(RangeError);
  });

  it('gives decorrelated neighbouring streams', () => {
    // First uniform of streams 0..N-1: should look iid U(0,1); adjacent pairs uncorrelated.
    const n = 20000;
    const u = new Float64Array(n);
    for (let i = 0; i < n; i++) u[i] = new Rng(123, i).uniform();
    let mean = 0;
    for (const x of u) mean += x;
    mean /= n;
    expect(Math.abs(mean - 0.5)).toBeLessThan(4 * Math.sqrt(1 / 12 / n));
    let cov = 0;
    for (let i = 1; i < n; i++) cov += (u[i]! - 0.5) * (u[i - 1]! - 0.5);
    const corr = cov / (n - 1) / (1 / 12);
    expect(Math.abs(corr)).toBeLessThan(4 / Math.sqrt(n));
    // Bit balance of the first 32-bit output across streams.
    const ones = new Array<number>(32).fill(0);
    for (let i = 0; i < n; i++) {
      const x = new Rng(99, i).nextUint32();
      for (let b = 0; b < 32; b++) ones[b]! += (x >>> b) & 1;
    }
    for (const c of ones) expect(Math.abs(c / n - 0.5)).toBeLessThan(4 * Math.sqrt(0.25 / n));
  });

  it('uniform() is in [0, 1) with the right moments; chi-square over 20 bins', () => {
    const r = new Rng(2024, 0);
    const n = 200000;
    const bins = new Array<number>(20).fill(0);
    let s = 0;
    let s2 = 0;
    let inRange = true;
    for (let i = 0; i < n; i++) {
      const x = r.uniform();
      if (!(x >= 0 && x < 1)) inRange = false;
      bins[Math.floor(x * 20)]!++;
      s += x;
      s2 += x * x;
    }
    expect(inRange).toBe(true);
    expect(Math.abs(s / n - 0.5)).toBeLessThan(0.003);
    expect(Math.abs(s2 / n - 1 / 3)).toBeLessThan(0.003);
    const e = n / 20;
    const chi2 = bins.reduce((acc, o) => acc + ((o - e) * (o - e)) / e, 0);
    expect(chi2).toBeLessThan(43.8); // 19 df, p = 0.001
  });

  it('normal() has mean 0, variance 1 and normal tails', () => {
    const r = new Rng(7, 3);
    const n = 200000;
    let s = 0;
    let s2 = 0;
    let tail = 0;
    for (let i = 0; i < n; i++) {
      const z = r.normal();
      s += z;
      s2 += z * z;
      if (z > 1.959964) tail++;
    }
    expect(Math.abs(s / n)).toBeLessThan(0.01);
    expect(Math.abs(s2 / n - 1)).toBeLessThan(0.015);
    expect(Math.abs(tail / n - 0.025)).toBeLessThan(0.0015);
  });

  it('poisson() has the right mean and variance for small and large means', () => {
    const r = new Rng(11, 0);
    for (const mean of [0.05, 0.7, 3, 9.99, 10, 37.5, 1000, 1e7]) {
      const n = 40000;
      let s = 0;
      let s2 = 0;
      let valid = true;
      for (let i = 0; i < n; i++) {
        const k = r.poisson(mean);
        if (!(Number.isInteger(k) && k >= 0)) valid = false;
        s += k;
        s2 += k * k;
      }
      expect(valid).toBe(true);
      const m = s / n;
      const v = s2 / n - m * m;
      expect(Math.abs(m - mean)).toBeLessThan(5 * Math.sqrt(mean / n));
      expect(Math.abs(v / mean - 1)).toBeLessThan(0.05);
    }
    expect(r.poisson(0)).toBe(0);
    expect(r.poisson(-1)).toBe(0);
  });

  it('poisson() below mean 10 returns exactly the variate of the search started from Math.exp', () => {
    // The reference: lf-tid@1's inversion as first specified (squeeze, then a search from Math.exp).
    const exactInversion = (mean: number, u: number): number => {
      if (mean < 1 && u < 1 - mean * (1 - mean * (0.5 - mean * (1 / 6)))) return 0;
      let p = Math.exp(-mean);
      let cdf = p;
      let k = 0;
      while (u >= cdf && k < 256) {
        k++;
        p *= mean * (1 / k);
        cdf += p;
      }
      return k;
    };
    const cdfAt = (mean: number, k: number): number => {
      let p = Math.exp(-mean);
      let cdf = p;
      for (let j = 1; j <= k; j++) cdf += p *= mean * (1 / j);
      return cdf;
    };
    const source = new Rng(2026, 12);
    let draws = 0;
    let mismatches = 0;
    const check = (mean: number, state: [number, number, number, number]) => {
      const u = (Rng.fromState(...state).nextUint32() + 0.5) / 4294967296;
      if (Rng.fromState(...state).poisson(mean) !== exactInversion(mean, u)) mismatches++;
      draws++;
    };
    for (let i = 0; i < 200000; i++)
      check(source.uniform() * 10, source.getState().map(() => source.nextUint32()) as never);
    // Means that put u right at a cell boundary (cdf_k(mean) = u, by bisection), where the search
    // from the approximation cannot decide and must fall back to Math.exp.
    for (let i = 0; i < 300; i++) {
      const state = source.getState().map(() => source.nextUint32() || 1) as [number, number, number, number];
      const u = (Rng.fromState(...state).nextUint32() + 0.5) / 4294967296;
      for (let k = 0; k < 4; k++) {
        let lo = 1e-9;
        let hi = 9.999;
        if (cdfAt(lo, k) < u || cdfAt(hi, k) > u) continue;
        for (let it = 0; it < 200; it++) {
          const mid = 0.5 * (lo + hi);
          if (cdfAt(mid, k) > u) lo = mid;
          else hi = mid;
        }
        for (const d of [
          0, 1e-16, -1e-16, 1e-13, -1e-13, 1e-10, -1e-10, 1e-8, -1e-8, 1e-7, -1e-7, 1e-6, -1e-6,
        ]) {
          check(lo * (1 + d), state);
        }
      }
    }
    expect(draws).toBeGreaterThan(205000);
    expect(mismatches).toBe(0);
  });

  it('poisson() matches the pmf at mean 12 (PTRS branch)', () => {
    const r = new Rng(5, 5);
    const n = 100000;
    const counts = new Array<number>(40).fill(0);
    for (let i = 0; i < n; i++) counts[Math.min(39, r.poisson(12))]!++;
    let chi2 = 0;
    let df = -1;
    for (let k = 3; k < 25; k++) {
      const p = Math.exp(-12 + k * Math.log(12) - logFactorial(k));
      chi2 += (counts[k]! - n * p) ** 2 / (n * p);
      df++;
    }
    expect(chi2).toBeLessThan(df + 5 * Math.sqrt(2 * df));
  });

  it('logFactorial is accurate across the table/Stirling boundary', () => {
    let exact = 0;
    for (let k = 1; k <= 3000; k++) {
      exact += Math.log(k);
      expect(Math.abs(logFactorial(k) - exact)).toBeLessThan(1e-13 * Math.max(1, exact));
    }
  });
});
