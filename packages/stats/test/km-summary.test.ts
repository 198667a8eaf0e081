import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type AggregatedSurvivalInput,
  kaplanMeier,
  kaplanMeierSummary,
  medianSurvival,
  rmst,
  survivalEstimateAt,
} from '../src/index.js';

/** The full path the summary replaces: the curve, then each number read from it. */
function fromCurve(input: AggregatedSurvivalInput, at: number[], tau: number) {
  const curve = kaplanMeier(input);
  const median = medianSurvival(curve, { rule: 'print' });
  return {
    n: curve.n,
    events: curve.events,
    median: { median: median.median, lower: median.lower, upper: median.upper },
    survivalAt: at.map((t) => survivalEstimateAt(curve, t).survival),
    rmst: rmst(curve, tau).rmst,
  };
}

// Count tables as the database gives them: ascending distinct times, sometimes empty rows, unsorted or
// near-tied times; small counts make exact 0.5 flats (the midpoint rule) and S = 0 common.
const row = fc.record({
  time: fc.oneof(
    fc.integer({ min: 0, max: 40 }).map((k) => k * 0.25),
    fc.double({ min: 0, max: 900, noNaN: true }),
  ),
  nEvent: fc.integer({ min: 0, max: 4 }),
  nCensor: fc.integer({ min: 0, max: 3 }),
});
const table = fc
  .array(row, { minLength: 1, maxLength: 80 })
  .filter((rows) => rows.some((r) => r.nEvent + r.nCensor > 0))
  .map(
    (rows): AggregatedSurvivalInput => ({
      time: rows.map((r) => r.time),
      nEvent: rows.map((r) => r.nEvent),
      nCensor: rows.map((r) => r.nCensor),
    }),
  );
const times = fc.array(
  fc.oneof(fc.constantFrom(0, 5, 365, 730, 1000), fc.double({ min: 0, max: 1000, noNaN: true })),
  {
    maxLength: 4,
  },
);

describe('kaplanMeierSummary', () => {
  it('equals the curve-based median, limits, S(t) and restricted mean to the last bit', () => {
    fc.assert(
      fc.property(table, times, fc.double({ min: 0, max: 1000, noNaN: true }), (input, at, tau) => {
        expect(kaplanMeierSummary(input, { at, tau })).toEqual(fromCurve(input, at, tau));
      }),
      { numRuns: 2000 },
    );
  });

  it('takes the midpoint over an exact 0.5 flat, as print.survfit', () => {
    // 4 subjects: S = 0.5 after t = 1, flat until t = 3.
    const input = { time: [1, 2, 3], nEvent: [2, 0, 1], nCensor: [0, 1, 0] };
    const summary = kaplanMeierSummary(input, { at: [365, 730], tau: 3 });
    expect(summary.median.median).toBe(2);
    expect(summary).toEqual(fromCurve(input, [365, 730], 3));
  });

  it('matches on a dense 2,920-step table of thousands of patients', () => {
    const time = Array.from({ length: 2920 }, (_, k) => k * 0.25);
    const input = {
      time,
      nEvent: time.map((_, k) => 200 + ((k * 7) % 300)),
      nCensor: time.map((_, k) => (k * 13) % 50),
    };
    expect(kaplanMeierSummary(input, { at: [365, 730], tau: 730 })).toEqual(
      fromCurve(input, [365, 730], 730),
    );
  });
});
