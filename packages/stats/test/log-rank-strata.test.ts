/**
 * Stratified logRank from per-time counts (with a stratum per row) equals R's
 * survdiff(Surv(t, e) ~ g + strata(s)) on the rows they count; without strata the API is unchanged.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { logRank, logRankByStratum, type StratumCounts } from '../src/index.js';
import { logRankCases } from './cox-fixtures.js';

describe('stratified logRank from aggregated counts', () => {
  for (const c of logRankCases) {
    it(c.name, () => {
      const groups = c.groups.map((g) => {
        const counts = new Map<string, { time: number; stratum: string; nEvent: number; nCensor: number }>();
        g.time.forEach((t, i) => {
          const key = `${g.strata[i]}|${t}`;
          const row = counts.get(key) ?? { time: t, stratum: g.strata[i]!, nEvent: 0, nCensor: 0 };
          if (g.event[i] === 1) row.nEvent++;
          else row.nCensor++;
          counts.set(key, row);
        });
        const rows = [...counts.values()];
        return {
          time: rows.map((r) => r.time),
          nEvent: rows.map((r) => r.nEvent),
          nCensor: rows.map((r) => r.nCensor),
          strata: rows.map((r) => r.stratum),
        };
      });
      const result = logRank(groups);
      expect(Math.abs(result.chiSq - c.result.chiSq)).toBeLessThanOrEqual(1e-9 * Math.max(1, c.result.chiSq));
      expect(result.df).toBe(c.result.df);
      result.expected.forEach((e, g) => {
        expect(Math.abs(e - c.result.expected[g]!)).toBeLessThan(1e-9);
      });
    });
  }

  it('asks for strata on every group once one group has them', () => {
    expect(() =>
      logRank([
        { time: [1, 2], event: [true, false], strata: ['a', 'b'] },
        { time: [1, 3], event: [true, true] },
      ]),
    ).toThrow(/logRank group 1: strata must be given for every group when one group has them/);
    expect(() =>
      logRank([
        { time: [1, 2], event: [true, false], strata: ['a'] },
        { time: [1, 3], event: [true, true], strata: ['a', 'a'] },
      ]),
    ).toThrow(/logRank group 0: strata must have one entry per row \(2\), got 1/);
  });

  it('one stratum gives the unstratified test', () => {
    const a = { time: [1, 2, 4, 5, 7], event: [true, false, true, true, false] };
    const b = { time: [2, 3, 3, 6, 8], event: [true, true, false, true, true] };
    const one = ['x', 'x', 'x', 'x', 'x'];
    expect(
      logRank([
        { ...a, strata: one },
        { ...b, strata: one },
      ]).chiSq,
    ).toBeCloseTo(logRank([a, b]).chiSq, 13);
  });
});

describe('stratified logRank from count tables per stratum (logRankByStratum)', () => {
  // A group's cells: per stratum, counts at ascending times (grid times, near ties, zero rows, -0, time 0).
  const time = fc.oneof(
    fc.integer({ min: 0, max: 40 }).map((k) => k * 0.25),
    fc.constantFrom(0, -0, 1 + 1e-12, 1, 2.5 + 3e-9, 2.5),
  );
  const row = fc.record({ time, nEvent: fc.nat(4), nCensor: fc.nat(3) });
  const cell = fc.record({
    stratum: fc.integer({ min: 0, max: 4 }),
    rows: fc.array(row, { minLength: 1, maxLength: 25 }),
  });
  const group = fc
    .uniqueArray(cell, { minLength: 1, maxLength: 4, selector: (c) => c.stratum })
    .filter((cells) => cells.some((c) => c.rows.some((r) => r.nEvent + r.nCensor > 0)));
  /** A cell's table as stored: distinct times ascending (rows at one time added). */
  const table = (rows: { time: number; nEvent: number; nCensor: number }[]) => {
    const byTime = new Map<number, { nEvent: number; nCensor: number }>();
    for (const r of [...rows].sort((a, b) => a.time - b.time)) {
      const entry = byTime.get(r.time) ?? { nEvent: 0, nCensor: 0 };
      entry.nEvent += r.nEvent;
      entry.nCensor += r.nCensor;
      byTime.set(r.time, entry);
    }
    const times = [...byTime.keys()];
    return {
      time: Float64Array.from(times),
      nEvent: Int32Array.from(times, (t) => byTime.get(t)!.nEvent),
      nCensor: Int32Array.from(times, (t) => byTime.get(t)!.nCensor),
    };
  };

  it('equals logRank on the cells concatenated with a stratum on every row, to the last bit', () => {
    fc.assert(
      fc.property(fc.array(group, { minLength: 2, maxLength: 4 }), fc.constantFrom(0, 1), (groups, rho) => {
        const parts: StratumCounts[][] = groups.map((cells) =>
          cells.map((c) => ({ stratum: c.stratum, counts: table(c.rows) })),
        );
        const rows = parts.map((cells) => ({
          time: cells.flatMap((c) => Array.from(c.counts.time)),
          nEvent: cells.flatMap((c) => Array.from(c.counts.nEvent)),
          nCensor: cells.flatMap((c) => Array.from(c.counts.nCensor)),
          strata: cells.flatMap((c) => Array.from(c.counts.time, () => c.stratum)),
        }));
        expect(logRankByStratum(parts, { rho })).toEqual(logRank(rows, { rho }));
      }),
      { numRuns: 300 },
    );
  });

  it('names a stratum given twice for one group', () => {
    const counts = { time: [1], nEvent: [1], nCensor: [0] };
    expect(() =>
      logRankByStratum([
        [
          { stratum: 'a', counts },
          { stratum: 'a', counts },
        ],
        [{ stratum: 'a', counts }],
      ]),
    ).toThrow(/logRank group 0: stratum a is given twice/);
  });
});
