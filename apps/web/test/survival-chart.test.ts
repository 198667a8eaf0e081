import { describe, expect, it } from 'vitest';
import { curvePoints, groupLabel } from '../src/charts/survival-chart.js';

describe('Kaplan–Meier plot data', () => {
  it('labels groups by their axis values', () => {
    expect(groupLabel({ dose: 2, immuneKill: 0.035 })).toBe('dose=2, immuneKill=0.035');
    expect(groupLabel({})).toBe('all patients');
  });

  it('starts every curve at S(0) = 1 and keeps the API rows, skipping undefined estimates', () => {
    const rows = curvePoints([
      {
        key: { dose: 0 },
        patients: 3,
        events: 2,
        median: null,
        logRank: null,
        curve: {
          time: [5, 8, 9],
          survival: [2 / 3, 1 / 3, null],
          lower: [0.3, 0.1, null],
          upper: [1, 1, null],
        },
      },
      {
        key: { dose: 2 },
        patients: 1,
        events: 1,
        median: null,
        logRank: null,
        curve: { time: [0, 4], survival: [1, 0], lower: [1, null], upper: [1, null] },
      },
    ]);
    expect(rows).toEqual([
      { group: 'dose=0', time: 0, survival: 1, lower: 1, upper: 1 },
      { group: 'dose=0', time: 5, survival: 2 / 3, lower: 0.3, upper: 1 },
      { group: 'dose=0', time: 8, survival: 1 / 3, lower: 0.1, upper: 1 },
      { group: 'dose=2', time: 0, survival: 1, lower: 1, upper: 1 },
      { group: 'dose=2', time: 4, survival: 0, lower: null, upper: null },
    ]);
  });
});
