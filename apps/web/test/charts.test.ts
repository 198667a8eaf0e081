import type { SurvivalGroup } from '@frontline/contracts';
import { describe, expect, it } from 'vitest';
import { colourDomain, legendTicks, quantile } from '../src/charts/colour-scale.js';
import { atRisk, censorMarks, daysPerMonth, groupLabels, timeTicks } from '../src/charts/km-data.js';
import { axisValueFormatter, formatDays, formatMedianDays } from '../src/format.js';

/**
 * Ten patients, as GET /v1/sweeps/{id}/survival serves them (one row per event time): deaths at 100, 200
 * (two), 400; censored at 200 (with the deaths there), at 300 (between event rows, so no row), and four
 * at the 730-day horizon.
 */
function tenPatients(key: Record<string, number> = { dose: 2 }): SurvivalGroup {
  return {
    key,
    patients: 10,
    points: 1,
    distinctPatients: 10,
    events: 4,
    curve: {
      time: [100, 200, 400],
      nRisk: [10, 9, 5],
      nEvent: [1, 2, 1],
      nCensor: [0, 1, 0],
      survival: [0.9, 0.7, 0.56],
      stdErr: [0.1, 0.1, 0.1],
      lower: [0.7, 0.5, 0.3],
      upper: [1, 0.9, 0.8],
    },
    median: { value: null, lower: 400, upper: null },
    survivalAt: {},
    rmst: { tau: 730, value: 500, stdErr: 20 },
    logRank: null,
  };
}

/** Number at risk at t from the patients' own times: the definition the derivation must reproduce. */
const times = [100, 200, 200, 200, 300, 400, 730, 730, 730, 730];

describe('numbers at risk derived from the curve rows', () => {
  it('equals the count of patients with time ≥ t at every tick where no censoring falls just before an event', () => {
    const group = tenPatients();
    for (const day of [0, 50, 100, 150, 200, 400, 500, 700, 730, 731]) {
      expect([day, atRisk(group, day)]).toEqual([day, times.filter((t) => t >= day).length]);
    }
    // Between a censoring without a row (300) and the next event the API rows cannot see it: 5, not 6.
    expect(atRisk(group, 250)).toBe(5);
  });

  it('is 0 for a group with no outcomes, and all patients until the horizon for one without events', () => {
    const empty = { ...tenPatients(), patients: 0, events: 0, rmst: null };
    empty.curve = { ...empty.curve, time: [], nRisk: [], nEvent: [], nCensor: [], survival: [] };
    expect(atRisk(empty, 0)).toBe(0);
    const eventFree = { ...empty, patients: 8, rmst: { tau: 365, value: 365, stdErr: 0 } };
    expect([atRisk(eventFree, 0), atRisk(eventFree, 365), atRisk(eventFree, 366)]).toEqual([8, 8, 0]);
    expect(censorMarks(eventFree)).toEqual([{ time: 365, survival: 1, censored: 8 }]);
  });

  it('marks censorings at event times and at the end of follow-up', () => {
    expect(censorMarks(tenPatients())).toEqual([
      { time: 200, survival: 0.7, censored: 1 },
      { time: 730, survival: 0.56, censored: 4 },
    ]);
  });

  it('ticks at steps clinicians read, in days or months', () => {
    expect(timeTicks(730, 'days')).toEqual([0, 90, 180, 270, 360, 450, 540, 630, 720]);
    expect(timeTicks(730, 'months').map((d) => d / daysPerMonth)).toEqual([0, 3, 6, 9, 12, 15, 18, 21]); // 730 d is 23.98 months
    expect(timeTicks(365, 'days')).toEqual([0, 60, 120, 180, 240, 300, 360]);
  });
});

describe('labels at the axis precision', () => {
  it('uses the fewest digits that keep the sweep’s values apart', () => {
    const lhs = axisValueFormatter([0.2598207698484945, 0.5112, 0.0731]);
    expect([0.2598207698484945, 0.5112, 0.0731].map(lhs)).toEqual(['0.26', '0.51', '0.073']);
    const close = axisValueFormatter([0.2598207698484945, 0.2601]);
    expect(close(0.2598207698484945)).toBe('0.2598');
    expect(axisValueFormatter([0, 2, 10]).call(null, 10)).toBe('10');
    expect(axisValueFormatter([1234, 1250])(1234)).toBe('1234');
    expect(axisValueFormatter([0.035, 0.1])(0.035)).toBe('0.035');
  });

  it('labels survival groups with them, never with 16 digits', () => {
    const labels = groupLabels([
      tenPatients({ dose: 0.2598207698484945, immuneKill: 0.035 }),
      tenPatients({ dose: 0.7401, immuneKill: 0.1 }),
    ]);
    expect(labels).toEqual(['dose=0.26, immuneKill=0.035', 'dose=0.74, immuneKill=0.1']);
  });
});

describe('median text', () => {
  it('says pending for a point without outcomes and NR when not reached', () => {
    expect(formatMedianDays({ value: null, lower: null, upper: null }, 0)).toBe('pending');
    expect(formatMedianDays({ value: null, lower: null, upper: null }, 60)).toBe('NR');
    expect(formatMedianDays({ value: 454.748511, lower: 430.2, upper: null }, 60)).toBe('455 d (430 d–NA)');
    expect(formatDays(null)).toBe('NR');
  });
});

describe('heatmap colour scale', () => {
  it('spans the 2nd–98th percentile of the finite values, ignoring NR cells', () => {
    const values = [...Array.from({ length: 99 }, (_, i) => 400 + i), 10_000, null, null];
    const sorted = values.filter((v): v is number => v !== null).sort((a, b) => a - b);
    expect(quantile(sorted, 0.5)).toBe(449.5);
    const [low, high] = colourDomain(values) ?? [];
    expect(low).toBeCloseTo(401.98, 9);
    expect(high).toBeCloseTo(497.02, 9); // the 10,000 outlier does not stretch the scale
    expect(colourDomain([null, null])).toBeNull();
    expect(colourDomain([500, 500, null])).toEqual([475, 525]);
  });

  it('puts round legend ticks inside the domain, however narrow', () => {
    expect(legendTicks([494.9, 497.1])).toEqual([495, 495.5, 496, 496.5, 497]);
    expect(legendTicks([0.12, 0.87])).toEqual([0.2, 0.4, 0.6, 0.8]);
    expect(legendTicks([401.98, 497.02])).toEqual([420, 440, 460, 480]);
  });
});
