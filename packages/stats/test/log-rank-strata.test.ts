/**
 * Stratified logRank from per-time counts (with a stratum per row) equals R's
 * survdiff(Surv(t, e) ~ g + strata(s)) on the rows they count; without strata the API is unchanged.
 */
import { describe, expect, it } from 'vitest';
import { logRank } from '../src/index.js';
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
