import type { SurvivalGroup } from '@frontline/contracts';
import { describe, expect, it } from 'vitest';
import { curvePoints, groupLabel } from '../src/charts/survival-chart.js';

/** A group as GET /v1/sweeps/{id}/survival serves it, with the curve columns the chart reads. */
function group(
  key: Record<string, number>,
  curve: Pick<SurvivalGroup['curve'], 'time' | 'survival' | 'lower' | 'upper'>,
): SurvivalGroup {
  const blank = curve.time.map(() => 0);
  return {
    key,
    patients: curve.time.length,
    points: 1,
    distinctPatients: curve.time.length,
    events: curve.time.length,
    median: { value: null, lower: null, upper: null },
    survivalAt: {},
    rmst: null,
    logRank: null,
    curve: { ...curve, nRisk: blank, nEvent: blank, nCensor: blank, stdErr: blank },
  };
}

describe('Kaplan–Meier plot data', () => {
  it('labels groups by their axis values', () => {
    expect(groupLabel({ dose: 2, immuneKill: 0.035 })).toBe('dose=2, immuneKill=0.035');
    expect(groupLabel({})).toBe('all patients');
  });

  it('starts every curve at S(0) = 1 and keeps the API rows, skipping undefined estimates', () => {
    const rows = curvePoints([
      group(
        { dose: 0 },
        { time: [5, 8, 9], survival: [2 / 3, 1 / 3, null], lower: [0.3, 0.1, null], upper: [1, 1, null] },
      ),
      group({ dose: 2 }, { time: [0, 4], survival: [1, 0], lower: [1, null], upper: [1, null] }),
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
