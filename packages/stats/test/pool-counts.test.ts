import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type CountTable, poolByGroup, poolCountTables } from '../src/pool-counts.js';

/** What pooling must equal: count events and censorings per distinct time over all subjects. */
function tabulate(subjects: readonly { time: number; event: boolean }[]) {
  const byTime = new Map<number, [number, number]>();
  for (const { time, event } of subjects) {
    const counts = byTime.get(time) ?? [0, 0];
    counts[event ? 0 : 1]++;
    byTime.set(time, counts);
  }
  const times = [...byTime.keys()].sort((a, b) => a - b);
  return {
    time: times,
    nEvent: times.map((t) => byTime.get(t)![0]),
    nCensor: times.map((t) => byTime.get(t)![1]),
  };
}

function asCounts(table: ReturnType<typeof tabulate>): CountTable {
  return {
    time: Float64Array.from(table.time),
    nEvent: Int32Array.from(table.nEvent),
    nCensor: Int32Array.from(table.nCensor),
  };
}

const plain = (c: CountTable) => ({ time: [...c.time], nEvent: [...c.nEvent], nCensor: [...c.nCensor] });

describe('poolCountTables (pooling points into a group)', () => {
  it('adds counts at shared times and keeps times ascending', () => {
    const a = asCounts({ time: [1, 3, 5], nEvent: [1, 0, 2], nCensor: [0, 1, 0] });
    const b = asCounts({ time: [3, 4], nEvent: [2, 1], nCensor: [1, 0] });
    expect(plain(poolCountTables([a, b]))).toEqual({
      time: [1, 3, 4, 5],
      nEvent: [1, 2, 1, 2],
      nCensor: [0, 2, 0, 0],
    });
    expect(plain(poolCountTables([]))).toEqual({ time: [], nEvent: [], nCensor: [] });
  });

  it('equals tabulating all the points’ subjects together', () => {
    const subject = fc.record({
      time: fc.integer({ min: 0, max: 30 }).map((t) => t / 2),
      event: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(fc.array(subject, { maxLength: 40 }), { maxLength: 7 }), (points) => {
        const merged = poolCountTables(points.map((subjects) => asCounts(tabulate(subjects))));
        expect(plain(merged)).toEqual(tabulate(points.flat()));
      }),
    );
  });
});

describe('poolByGroup', () => {
  it('pools each group’s members once, and gives a group without tables an empty one', () => {
    const tables = new Map([
      [10, asCounts({ time: [1, 2], nEvent: [1, 1], nCensor: [0, 0] })],
      [11, asCounts({ time: [2], nEvent: [0], nCensor: [3] })],
    ]);
    const members = [
      { member: 10, group: 0 },
      { member: 11, group: 0 },
      { member: 10, group: 0 },
      { member: 10, group: 1 },
      { member: 99, group: 2 },
    ];
    expect(poolByGroup(tables, members, 4).map(plain)).toEqual([
      { time: [1, 2], nEvent: [1, 1], nCensor: [0, 3] },
      { time: [1, 2], nEvent: [1, 1], nCensor: [0, 0] },
      { time: [], nEvent: [], nCensor: [] },
      { time: [], nEvent: [], nCensor: [] },
    ]);
  });
});
