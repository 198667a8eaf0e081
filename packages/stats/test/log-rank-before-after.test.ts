/**
 * The log-rank tests walk the groups' tables with cursors (two groups: sums in locals) and take groups
 * prepared once by stratifiedCounts; before, every test built slot arrays per group and re-tabulated
 * every stratum. The results must not move by a bit: each is compared with the implementation before
 * (test/support/log-rank-before.ts, unchanged), on random tables with near ties, -0, zero rows and time 0.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { logRank, logRankByStratum, type StratumCounts, stratifiedCounts } from '../src/index.js';
import * as before from './support/log-rank-before.js';

const time = fc.oneof(
  fc.integer({ min: 0, max: 60 }).map((k) => k * 0.25),
  fc.constantFrom(0, -0, 1 + 1e-12, 1, 2.5 + 3e-9, 2.5),
);
const row = fc.record({ time, nEvent: fc.nat(5), nCensor: fc.nat(3) });
const cell = fc.record({
  stratum: fc.integer({ min: 0, max: 4 }),
  rows: fc.array(row, { minLength: 1, maxLength: 40 }),
});
const group = fc
  .uniqueArray(cell, { minLength: 1, maxLength: 4, selector: (c) => c.stratum })
  .filter((cells) => cells.some((c) => c.rows.some((r) => r.nEvent + r.nCensor > 0)));

/** A cell's table as the database gives it: distinct times ascending, typed arrays. */
function table(rows: { time: number; nEvent: number; nCensor: number }[]) {
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
}

const partsOf = (
  groups: { stratum: number; rows: { time: number; nEvent: number; nCensor: number }[] }[][],
) =>
  groups.map((cells): StratumCounts[] => cells.map((c) => ({ stratum: c.stratum, counts: table(c.rows) })));

describe('log-rank tests: the same doubles as the implementation before', () => {
  it('logRankByStratum, from parts and from prepared groups (2 to 5 groups, rho 0 and 1)', () => {
    fc.assert(
      fc.property(fc.array(group, { minLength: 2, maxLength: 5 }), fc.constantFrom(0, 1), (groups, rho) => {
        const parts = partsOf(groups);
        const expected = before.logRankByStratum(parts, { rho });
        expect(logRankByStratum(parts, { rho })).toEqual(expected);
        const prepared = parts.map((p, g) => stratifiedCounts(p, `logRank group ${g}`));
        expect(logRankByStratum(prepared, { rho })).toEqual(expected);
      }),
      { numRuns: 400 },
    );
  });

  it('logRank with and without strata, with and without timefix', () => {
    fc.assert(
      fc.property(
        fc.array(group, { minLength: 2, maxLength: 5 }),
        fc.constantFrom(0, 0.5),
        fc.boolean(),
        fc.boolean(),
        (groups, rho, stratified, timefix) => {
          const rows = partsOf(groups).map((cells) => ({
            time: cells.flatMap((c) => Array.from(c.counts.time)),
            nEvent: cells.flatMap((c) => Array.from(c.counts.nEvent)),
            nCensor: cells.flatMap((c) => Array.from(c.counts.nCensor)),
            ...(stratified
              ? { strata: cells.flatMap((c) => Array.from(c.counts.time, () => c.stratum)) }
              : {}),
          }));
          expect(logRank(rows, { rho, timefix })).toEqual(before.logRank(rows, { rho, timefix }));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('a survival request’s shape: 10 groups × 10 strata of 2,920 grid steps, each against the first and all at once', () => {
    const cellTable = (seed: number) => {
      const steps = 2920;
      const t = new Float64Array(steps);
      const nEvent = new Int32Array(steps);
      const nCensor = new Int32Array(steps);
      for (let g = 1; g <= steps; g++) {
        t[g - 1] = g * 0.25;
        nEvent[g - 1] = 2 + ((g * 7 + seed) % 3);
        nCensor[g - 1] = g === steps ? 1_500 : g % 5 === 0 ? 1 : 0;
      }
      return { time: t, nEvent, nCensor };
    };
    const parts = Array.from({ length: 10 }, (_, g) =>
      Array.from({ length: 10 }, (_, s): StratumCounts => ({ stratum: s, counts: cellTable(g * 10 + s) })),
    );
    const prepared = parts.map((p) => stratifiedCounts(p));
    for (let g = 1; g < 10; g++)
      expect(logRankByStratum([prepared[0]!, prepared[g]!])).toEqual(
        before.logRankByStratum([parts[0]!, parts[g]!]),
      );
    expect(logRankByStratum(prepared)).toEqual(before.logRankByStratum(parts));
  });

  it('names a stratum given twice for one group when it is prepared', () => {
    const counts = { time: [1], nEvent: [1], nCensor: [0] };
    expect(() =>
      stratifiedCounts(
        [
          { stratum: 'a', counts },
          { stratum: 'a', counts },
        ],
        'logRank group 3',
      ),
    ).toThrow(/logRank group 3: stratum a is given twice/);
  });
});
