import { describe, expect, it } from 'vitest';
import { chunkCount, chunkWork, missingRanges, planWork, segmentsOf } from '../src/chunk-plan.js';

describe('missingRanges', () => {
  it('returns the gaps between stored islands, clipped to the cohort', () => {
    expect(
      missingRanges(
        [
          { start: 2, end: 4 },
          { start: 6, end: 12 },
        ],
        10,
      ),
    ).toEqual([
      { start: 0, end: 2 },
      { start: 4, end: 6 },
    ]);
    expect(missingRanges([], 3)).toEqual([{ start: 0, end: 3 }]);
  });
});

describe('planWork', () => {
  it('lays each point’s missing patients along one sequence, in point order, a repeated point once', () => {
    const stored = new Map([[7, [{ start: 0, end: 5 }]]]);
    expect(planWork([7, 9, 7, 4], stored, 10)).toEqual({
      toSimulate: 25,
      points: [
        { workStart: 0, workPatients: 5, missing: [{ start: 5, end: 10 }] },
        { workStart: 5, workPatients: 10, missing: [{ start: 0, end: 10 }] },
        { workStart: null, workPatients: 0, missing: [] },
        { workStart: 15, workPatients: 10, missing: [{ start: 0, end: 10 }] },
      ],
    });
  });

  it('plans nothing when every patient is stored', () => {
    expect(planWork([1], new Map([[1, [{ start: 0, end: 10 }]]]), 10)).toEqual({
      points: [{ workStart: null, workPatients: 0, missing: [] }],
      toSimulate: 0,
    });
  });
});

describe('chunks over the work sequence', () => {
  // 4 points of 2 patients, the second with patient 0 stored: positions 0–6.
  const plan = planWork([1, 2, 3, 4], new Map([[2, [{ start: 0, end: 1 }]]]), 2);
  const placed = plan.points.map((w, i) => ({ point: i, workStart: w.workStart!, missing: w.missing }));

  it('packs small points into one chunk, splitting at chunk boundaries, and covers each patient once', () => {
    expect(plan.toSimulate).toBe(7);
    expect(chunkCount(plan.toSimulate, 3)).toBe(3);
    const chunks = [0, 1, 2].map((k) => {
      const { workStart, workEnd } = chunkWork(k, 3, plan.toSimulate);
      return segmentsOf(placed, workStart, workEnd);
    });
    expect(chunks).toEqual([
      [
        { point: 0, patientStart: 0, patientEnd: 2 },
        { point: 1, patientStart: 1, patientEnd: 2 },
      ],
      [
        { point: 2, patientStart: 0, patientEnd: 2 },
        { point: 3, patientStart: 0, patientEnd: 1 },
      ],
      [{ point: 3, patientStart: 1, patientEnd: 2 }],
    ]);
  });

  it('splits a large point across chunks and maps positions through its stored islands', () => {
    const big = planWork([5], new Map([[5, [{ start: 3, end: 6 }]]]), 10);
    const onlyPoint = [{ point: 'p', workStart: 0, missing: big.points[0]!.missing }];
    expect(big.toSimulate).toBe(7);
    expect(segmentsOf(onlyPoint, 2, 5)).toEqual([
      { point: 'p', patientStart: 2, patientEnd: 3 },
      { point: 'p', patientStart: 6, patientEnd: 8 },
    ]);
    expect(chunkWork(2, 3, big.toSimulate)).toEqual({ workStart: 6, workEnd: 7 });
  });
});
