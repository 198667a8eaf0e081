import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mergeCounts, type TimeCounts } from '../src/results.js';

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

function asCounts(table: ReturnType<typeof tabulate>): TimeCounts {
  return {
    time: Float64Array.from(table.time),
    nEvent: Int32Array.from(table.nEvent),
    nCensor: Int32Array.from(table.nCensor),
  };
}

const plain = (c: TimeCounts) => ({ time: [...c.time], nEvent: [...c.nEvent], nCensor: [...c.nCensor] });

describe('mergeCounts (pooling points into a group)', () => {
  it('adds counts at shared times and keeps times ascending', () => {
    const a = asCounts({ time: [1, 3, 5], nEvent: [1, 0, 2], nCensor: [0, 1, 0] });
    const b = asCounts({ time: [3, 4], nEvent: [2, 1], nCensor: [1, 0] });
    expect(plain(mergeCounts([a, b]))).toEqual({
      time: [1, 3, 4, 5],
      nEvent: [1, 2, 1, 2],
      nCensor: [0, 2, 0, 0],
    });
    expect(plain(mergeCounts([]))).toEqual({ time: [], nEvent: [], nCensor: [] });
  });

  it('equals tabulating all the points’ subjects together', () => {
    const subject = fc.record({
      time: fc.integer({ min: 0, max: 30 }).map((t) => t / 2),
      event: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(fc.array(subject, { maxLength: 40 }), { maxLength: 7 }), (points) => {
        const merged = mergeCounts(points.map((subjects) => asCounts(tabulate(subjects))));
        expect(plain(merged)).toEqual(tabulate(points.flat()));
      }),
    );
  });
});
