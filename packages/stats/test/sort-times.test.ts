import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { kaplanMeier } from '../src/index.js';
import { sortNonNegativeTimes } from '../src/sort-times.js';

describe('sortNonNegativeTimes (radix sort above 4096 values)', () => {
  it('orders like Float64Array.prototype.sort for large arrays of any non-negative finite doubles', () => {
    const value = fc.oneof(
      fc.double({ min: 0, max: 1e300, noNaN: true, noDefaultInfinity: true }),
      fc.integer({ min: 0, max: 50 }).map((k) => k * 0.25), // heavy ties, low mantissa bits all zero
      fc.constantFrom(0, Number.MIN_VALUE, 5e-324, 1e-310, Number.MAX_VALUE),
    );
    fc.assert(
      fc.property(fc.array(value, { minLength: 4096, maxLength: 9000 }), (values) => {
        const times = Float64Array.from(values, (v) => (v === 0 ? 0 : v));
        const expected = times.slice().sort();
        sortNonNegativeTimes(times);
        expect(times).toEqual(expected);
      }),
      { numRuns: 25 },
    );
  });

  it('gives the same Kaplan–Meier curve as pre-aggregated counts for a cohort of 20,000', () => {
    let state = 12345;
    const next = () => {
      state = (state * 1103515245 + 12345) % 2147483648;
      return state / 2147483648;
    };
    const time = Array.from(
      { length: 20_000 },
      () => Math.round((-Math.log(1 - next()) * 365) / 0.25) * 0.25,
    );
    const event = time.map(() => next() > 0.3);
    const counts = new Map<number, [number, number]>();
    time.forEach((t, i) => {
      const entry = counts.get(t) ?? [0, 0];
      entry[event[i] ? 0 : 1]++;
      counts.set(t, entry);
    });
    const distinct = [...counts.keys()].sort((a, b) => a - b);
    const aggregated = kaplanMeier({
      time: distinct,
      nEvent: distinct.map((t) => counts.get(t)![0]),
      nCensor: distinct.map((t) => counts.get(t)![1]),
    });
    expect(kaplanMeier({ time, event })).toEqual(aggregated);
    expect(aggregated.n).toBe(20_000);
  });
});
