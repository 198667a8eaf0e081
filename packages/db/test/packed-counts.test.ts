import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addHistograms,
  addStepCounts,
  packHistogram,
  packStepCounts,
  unpackHistogram,
  unpackStepCounts,
  unpackStepCountsOnGrid,
} from '../src/tallies/packed-counts.js';
import { gridTime } from '../src/tallies/time-grid.js';

/** Sparse counts: distinct ascending keys up to 2·10⁶ (the most grid steps a point has), counts ≥ 0. */
const sparse = fc
  .uniqueArray(fc.record({ key: fc.integer({ min: 0, max: 2_000_000 }), a: fc.nat(1e6), b: fc.nat(3) }), {
    selector: (e) => e.key,
    maxLength: 300,
  })
  .map((entries) => [...entries].sort((x, y) => x.key - y.key));

const stepCountsOf = (entries: { key: number; a: number; b: number }[]) => ({
  steps: entries.map((e) => e.key),
  events: entries.map((e) => e.a % 4),
  censored: entries.map((e) => e.b),
});

describe('packed survival counts and histograms', () => {
  it('unpack to exactly what was packed', () => {
    fc.assert(
      fc.property(sparse, (entries) => {
        const counts = stepCountsOf(entries);
        const unpacked = unpackStepCounts(packStepCounts(counts));
        expect({
          steps: [...unpacked.steps],
          events: [...unpacked.events],
          censored: [...unpacked.censored],
        }).toEqual(counts);
        const histogram = { bins: entries.map((e) => e.key), counts: entries.map((e) => e.a + 1) };
        expect(unpackHistogram(packHistogram(histogram))).toEqual(histogram);
      }),
    );
  });

  it('unpack on a grid to the same counts, each time gridTime(step, stepDays) (the statistics threads decode this way)', () => {
    fc.assert(
      fc.property(
        sparse,
        fc.constantFrom(0.25, 0.1, 1 / 3, 1, 7),
        fc.nat(5_000),
        (entries, stepDays, big) => {
          // Counts of every varint width: events up to 10⁶ (3 bytes) and one step of `big` censorings.
          const counts = stepCountsOf(entries);
          counts.events = entries.map((e) => e.a);
          if (counts.censored.length > 0) counts.censored[0] = big;
          const packed = packStepCounts(counts);
          const onGrid = unpackStepCountsOnGrid(packed, stepDays);
          expect(onGrid.time).toBeInstanceOf(Float64Array);
          expect(onGrid.nEvent).toBeInstanceOf(Int32Array);
          expect({
            time: [...onGrid.time],
            nEvent: [...onGrid.nEvent],
            nCensor: [...onGrid.nCensor],
          }).toEqual({
            time: counts.steps.map((step) => gridTime(step, stepDays)),
            nEvent: counts.events,
            nCensor: counts.censored,
          });
          // Exact lengths, not views of the decoder's scratch (a view would clone the whole scratch to a thread).
          expect(onGrid.time.buffer.byteLength).toBe(8 * counts.steps.length);
          const { steps, events, censored } = unpackStepCounts(packed);
          expect([...steps, ...events, ...censored]).toEqual([
            ...counts.steps,
            ...counts.events,
            ...counts.censored,
          ]);
        },
      ),
    );
    expect(() => unpackStepCountsOnGrid(Uint8Array.of(3, 5), 0.25)).toThrow(
      'packed counts end inside a varint',
    );
  });

  it('refuse a table that ends inside a varint', () => {
    // A step of tag 3 (events and censorings) whose censorings are missing, then one whose head is cut.
    expect(() => unpackStepCounts(Uint8Array.of(3, 5))).toThrow('packed counts end inside a varint');
    expect(() => unpackStepCounts(Uint8Array.of(0, 0x80))).toThrow('packed counts end inside a varint');
    expect(() => unpackStepCounts(Uint8Array.of(2, 0x81))).toThrow('packed counts end inside a varint');
  });

  it('take one byte for a step of one patient close to the previous one', () => {
    const oneEach = { steps: [0, 3, 10, 41], events: [1, 0, 1, 0], censored: [0, 1, 0, 1] };
    expect([...packStepCounts(oneEach)]).toEqual([0, 2 * 4 + 1, 6 * 4, 30 * 4 + 1]);
    expect([...packHistogram({ bins: [5, 6], counts: [1, 300] })]).toEqual([10, 1, 0xac, 0x02]);
  });

  it('add step by step and bin by bin', () => {
    fc.assert(
      fc.property(sparse, sparse, (x, y) => {
        const a = stepCountsOf(x);
        const b = stepCountsOf(y);
        const expected = new Map<number, [number, number]>();
        for (const t of [a, b])
          t.steps.forEach((s, i) => {
            const c = expected.get(s) ?? [0, 0];
            expected.set(s, [c[0] + t.events[i]!, c[1] + t.censored[i]!]);
          });
        const steps = [...expected.keys()].sort((p, q) => p - q);
        const sum = addStepCounts(unpackStepCounts(packStepCounts(a)), b);
        expect(sum).toEqual({
          steps,
          events: steps.map((s) => expected.get(s)![0]),
          censored: steps.map((s) => expected.get(s)![1]),
        });
        const histogramSum = addHistograms(
          { bins: a.steps, counts: a.censored },
          { bins: b.steps, counts: b.censored },
        );
        expect(histogramSum).toEqual({ bins: steps, counts: steps.map((s) => expected.get(s)![1]) });
      }),
    );
  });
});
