import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { outcomeColumns } from '../src/outcome-columns.js';
import { histogramMedian, leaderFractionBin, leaderFractionBins } from '../src/tallies/chunk-tally.js';
import { gridIndex, gridTime, onGrid, singlePrecisionFields } from '../src/tallies/time-grid.js';

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

  // Rows store the step (os_step …) and reads multiply it by stepDays: that must give back, bit for bit,
  // the time the write path recorded, for any grid a point may have and any step up to MAX_STEPS_PER_PHASE.
  it('stores a recorded time as a step that gives back exactly that time (property)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1e-3, max: 1e4, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (stepDays, fraction) => {
          const days = fraction * 2e6 * stepDays;
          const recorded = onGrid(days, stepDays);
          const step = gridIndex(recorded, stepDays);
          expect(Number.isInteger(step) && step <= 2e6 + 1).toBe(true);
          expect(gridTime(step, stepDays)).toBe(recorded);
          expect(step).toBe(gridIndex(days, stepDays));
        },
      ),
      { numRuns: 20_000 },
    );
    expect(gridTime(gridIndex(3 * 0.1, 0.1), 0.1)).toBe(0.30000000000000004);
  });

  it("rounds exactly the columns stored as real to single precision, and none of the model's inputs", () => {
    expect(outcomeColumns.filter((c) => c.sqlType === 'real').map((c) => c.field)).toEqual(
      expect.arrayContaining([...singlePrecisionFields]),
    );
    expect(outcomeColumns.filter((c) => c.sqlType === 'real')).toHaveLength(singlePrecisionFields.length);
    expect(singlePrecisionFields.filter((f) => f.startsWith('sampled'))).toEqual([]);
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
