import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type AggregatedSurvivalInput,
  kaplanMeier,
  logRank,
  medianSurvival,
  type RawSurvivalInput,
  rmst,
} from '../src/index.js';

interface Subject {
  time: number;
  event: boolean;
}

// Small integer times make ties common; doubles exercise the general case.
const subject = fc.record({
  time: fc.oneof(fc.integer({ min: 0, max: 12 }), fc.double({ min: 0, max: 100, noNaN: true })),
  event: fc.boolean(),
});
const subjects = fc.array(subject, { minLength: 1, maxLength: 60 });
const withPermutation = subjects.chain((rows) =>
  fc.tuple(fc.constant(rows), fc.shuffledSubarray(rows, { minLength: rows.length, maxLength: rows.length })),
);
const runs = { numRuns: 300 };

const raw = (rows: Subject[]): RawSurvivalInput => ({
  time: rows.map((r) => r.time),
  event: rows.map((r) => r.event),
});

function aggregate(rows: Subject[]): AggregatedSurvivalInput {
  const counts = new Map<number, { nEvent: number; nCensor: number }>();
  for (const { time, event } of rows) {
    const entry = counts.get(time) ?? { nEvent: 0, nCensor: 0 };
    if (event) entry.nEvent++;
    else entry.nCensor++;
    counts.set(time, entry);
  }
  const times = [...counts.keys()];
  return {
    time: times,
    nEvent: times.map((t) => counts.get(t)!.nEvent),
    nCensor: times.map((t) => counts.get(t)!.nCensor),
  };
}

describe('Kaplan–Meier properties', () => {
  it('S is non-increasing in [0, 1] and lower ≤ S ≤ upper ≤ 1 (limits undefined only at S = 0)', () => {
    fc.assert(
      fc.property(subjects, (rows) => {
        const curve = kaplanMeier(raw(rows));
        let previous = 1;
        curve.survival.forEach((s, j) => {
          expect(s).toBeGreaterThanOrEqual(0);
          expect(s).toBeLessThanOrEqual(previous);
          previous = s;
          if (s === 0) {
            expect(curve.lower[j]).toBeNaN();
            expect(curve.upper[j]).toBeNaN();
          } else {
            expect(curve.lower[j]!).toBeGreaterThanOrEqual(0);
            expect(curve.lower[j]!).toBeLessThanOrEqual(s);
            expect(curve.upper[j]!).toBeGreaterThanOrEqual(s);
            expect(curve.upper[j]!).toBeLessThanOrEqual(1);
            expect(curve.stdErr[j]!).toBeGreaterThanOrEqual(0);
          }
        });
      }),
      runs,
    );
  });

  it('risk sets account for every subject', () => {
    fc.assert(
      fc.property(subjects, (rows) => {
        const curve = kaplanMeier(raw(rows), { timefix: false });
        const events = rows.filter((r) => r.event).length;
        expect(curve.nEvent.reduce((a, b) => a + b, 0)).toBe(events);
        expect(curve.events).toBe(events);
        curve.time.forEach((t, j) => {
          expect(curve.nRisk[j]).toBe(rows.filter((r) => r.time >= t).length);
          expect(curve.nCensor[j]).toBe(rows.filter((r) => r.time === t && !r.event).length);
        });
      }),
      runs,
    );
  });

  it('raw and pre-aggregated inputs give identical curves, medians and restricted means', () => {
    fc.assert(
      fc.property(subjects, fc.double({ min: 0, max: 120, noNaN: true }), (rows, tau) => {
        const fromRaw = kaplanMeier(raw(rows));
        const fromCounts = kaplanMeier(aggregate(rows));
        expect(fromCounts).toEqual(fromRaw);
        expect(medianSurvival(fromCounts)).toEqual(medianSurvival(fromRaw));
        expect(rmst(fromCounts, tau)).toEqual(rmst(fromRaw, tau));
      }),
      runs,
    );
  });

  it('permuting the subjects changes nothing', () => {
    fc.assert(
      fc.property(withPermutation, ([rows, permuted]) => {
        expect(kaplanMeier(raw(permuted))).toEqual(kaplanMeier(raw(rows)));
        expect(kaplanMeier(aggregate(permuted))).toEqual(kaplanMeier(aggregate(rows)));
      }),
      runs,
    );
  });

  it('the median lies within its confidence limits, and the restricted mean within [0, tau], growing with tau', () => {
    fc.assert(
      fc.property(
        subjects,
        fc.double({ min: 0, max: 120, noNaN: true }),
        fc.double({ min: 0, max: 50, noNaN: true }),
        (rows, tau, extra) => {
          const curve = kaplanMeier(raw(rows));
          const { median, lower, upper } = medianSurvival(curve);
          if (median !== null && lower !== null) expect(lower).toBeLessThanOrEqual(median);
          if (median !== null && upper !== null) expect(median).toBeLessThanOrEqual(upper);
          const short = rmst(curve, tau);
          expect(short.rmst).toBeGreaterThanOrEqual(0);
          expect(short.rmst).toBeLessThanOrEqual(tau * (1 + 1e-12));
          expect(rmst(curve, tau + extra).rmst).toBeGreaterThanOrEqual(short.rmst * (1 - 1e-12));
        },
      ),
      runs,
    );
  });
});

describe('log-rank properties', () => {
  const groups = fc.array(subjects, { minLength: 2, maxLength: 4 });

  it('χ² ≥ 0, p in [0, 1], Σ O = Σ E and the variance rows sum to zero', () => {
    fc.assert(
      fc.property(groups, (gs) => {
        const test = logRank(gs.map(raw));
        expect(test.chiSq).toBeGreaterThanOrEqual(-1e-12);
        if (!Number.isNaN(test.pValue)) {
          expect(test.pValue).toBeGreaterThanOrEqual(0);
          expect(test.pValue).toBeLessThanOrEqual(1);
        }
        const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
        expect(sum(test.expected)).toBeCloseTo(sum(test.observed), 9);
        for (const row of test.variance) expect(Math.abs(sum(row))).toBeLessThan(1e-9);
      }),
      runs,
    );
  });

  it('raw, pre-aggregated and permuted inputs give identical tests', () => {
    fc.assert(
      fc.property(
        groups.chain((gs) =>
          fc.tuple(
            fc.constant(gs),
            fc.tuple(
              ...gs.map((rows) =>
                fc.shuffledSubarray(rows, { minLength: rows.length, maxLength: rows.length }),
              ),
            ),
          ),
        ),
        ([gs, permuted]) => {
          const test = logRank(gs.map(raw));
          expect(logRank(gs.map(aggregate))).toEqual(test);
          expect(logRank(permuted.map(raw))).toEqual(test);
        },
      ),
      runs,
    );
  });
});
