import type { PointRow, PointsResponse } from '@frontline/contracts';
import { describe, expect, it } from 'vitest';
import { pointsCsv, pointsTable } from '../src/commands/points.js';

function point(pointIndex: number, trial: boolean): PointRow {
  const summary = { median: { value: 400, lower: 350, upper: 450 }, at365: 0.6, at730: 0.3, rmst: 420 };
  return {
    pointIndex,
    axisValues: { dose: pointIndex * 10 },
    patients: 200,
    os: summary,
    pfs: summary,
    curedFraction: 0.1,
    medianLeaderFractionAtDiagnosis: 0.02,
    bestResponse: { CR: 10, PR: 50, SD: 100, PD: 40 },
    objectiveResponseRate: trial ? 0.3 + pointIndex / 10 : null,
    toxicDeaths: trial ? 4 * pointIndex : null,
    toxicDeathFraction: trial ? (4 * pointIndex) / 200 : null,
    meanDoseIntensity: trial ? 0.9 : null,
    grade4NeutropeniaRate: trial ? 0.25 : null,
    recistBestResponse: trial ? { CR: 5, PR: 55, SD: 90, PD: 40, NE: 10 } : null,
  };
}

const response = (trial: boolean): PointsResponse => ({
  sweepId: '00000000-0000-4000-8000-000000000000',
  status: 'completed',
  partial: false,
  axes: ['dose'],
  totalPoints: 2,
  offset: 0,
  nextOffset: null,
  points: [point(0, trial), point(1, trial)],
});

describe('frontline points', () => {
  it("prints lf-tid@2's ORR, toxic deaths and dose intensity beside the survival columns", () => {
    const lines = pointsTable(response(true)).split('\n');
    expect(lines[0]).toMatch(/cured\s+ORR\s+toxic deaths\s+dose intensity\s+CR\/PR\/SD\/PD/);
    expect(lines.find((l) => l.trimStart().startsWith('10 '))).toMatch(/0\.400\s+4 \(0\.020\)\s+0\.900/);
  });

  it('leaves them out for an lf-tid@1 sweep', () => {
    expect(pointsTable(response(false))).not.toContain('ORR');
  });

  it('writes them to CSV, empty for lf-tid@1 rows', () => {
    const [header, first] = pointsCsv(response(true)).split('\n');
    expect(header!.split(',').slice(-5)).toEqual([
      'objectiveResponseRate',
      'toxicDeaths',
      'toxicDeathFraction',
      'meanDoseIntensity',
      'grade4NeutropeniaRate',
    ]);
    expect(first!.split(',').slice(-5)).toEqual(['0.3', '0', '0', '0.9', '0.25']);
    expect(pointsCsv(response(false)).split('\n')[1]!.split(',').slice(-5)).toEqual(['', '', '', '', '']);
  });

  it("adds an adaptive cohort's rounds, half-width and stop reason per point to the CSV", () => {
    const adaptive = response(false);
    adaptive.points = [
      { ...point(0, false), patients: 100, cohort: { rounds: 1, halfWidth: 0.012, stop: 'precise' } },
      { ...point(1, false), patients: 400, cohort: { rounds: 3, halfWidth: 0.044, stop: 'max' } },
    ];
    const [header, first, second] = pointsCsv(adaptive).split('\n');
    expect(header!.split(',').slice(-3)).toEqual(['cohortRounds', 'halfWidth', 'cohortStop']);
    expect(first!.split(',').slice(-3)).toEqual(['1', '0.012', 'precise']);
    expect(second!.split(',').slice(-3)).toEqual(['3', '0.044', 'max']);
    expect(second!.split(',')[2]).toBe('400');
  });
});
