import { describe, expect, it } from 'vitest';
import { histogramMedian, leaderFractionBin, leaderFractionBins } from '../src/tallies/chunk-tally.js';
import { gridIndex, onGrid } from '../src/tallies/time-grid.js';

describe('the time grid', () => {
  it('rounds up to a whole number of steps, keeping times already on a step there', () => {
    expect(gridIndex(7.5, 0.25)).toBe(30);
    expect(gridIndex(7.500000000001, 0.25)).toBe(30); // accumulated floating-point error
    expect(gridIndex(7.51, 0.25)).toBe(31);
    expect(gridIndex(0, 0.25)).toBe(0);
    expect(onGrid(730, 0.25)).toBe(730);
    expect(onGrid(0.1 + 0.2, 0.1)).toBe(3 * 0.1);
    // Idempotent: a recorded time records as itself.
    for (const t of [0.3, 17.04, 364.99, 730]) expect(onGrid(onGrid(t, 0.1), 0.1)).toBe(onGrid(t, 0.1));
  });
});

describe('the leader-fraction histogram median', () => {
  it('is within one bin width of the exact median (percentile_cont 0.5)', () => {
    let seed = 7;
    const uniform = () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    for (const n of [1, 2, 3, 10, 101, 1000]) {
      const values = Array.from({ length: n }, () => uniform() ** 3);
      const counts = new Map<number, number>();
      for (const v of values) counts.set(leaderFractionBin(v), (counts.get(leaderFractionBin(v)) ?? 0) + 1);
      const bins = [...counts.keys()].sort((a, b) => a - b);
      const sorted = [...values].sort((a, b) => a - b);
      const exact = (sorted[Math.floor((n - 1) / 2)]! + sorted[Math.ceil((n - 1) / 2)]!) / 2;
      const median = histogramMedian(
        bins,
        bins.map((b) => counts.get(b)!),
      )!;
      expect(Math.abs(median - exact)).toBeLessThanOrEqual(1 / leaderFractionBins);
    }
    expect(histogramMedian([], [])).toBeNull();
  });
});
