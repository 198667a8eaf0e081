import { describe, expect, it } from 'vitest';
import { missingRanges, planChunks } from '../src/chunk-plan.js';

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

describe('planChunks', () => {
  it('cuts each point’s missing patients into chunks of at most chunkSize, point by point', () => {
    const stored = new Map([[7, [{ start: 0, end: 5 }]]]);
    expect(planChunks([7, 9], stored, 10, 4)).toEqual({
      toSimulate: 15,
      chunks: [
        { pointId: 7, patientStart: 5, patientEnd: 9 },
        { pointId: 7, patientStart: 9, patientEnd: 10 },
        { pointId: 9, patientStart: 0, patientEnd: 4 },
        { pointId: 9, patientStart: 4, patientEnd: 8 },
        { pointId: 9, patientStart: 8, patientEnd: 10 },
      ],
    });
  });

  it('plans nothing when every patient is stored', () => {
    expect(planChunks([1], new Map([[1, [{ start: 0, end: 10 }]]]), 10, 3)).toEqual({
      chunks: [],
      toSimulate: 0,
    });
  });
});
