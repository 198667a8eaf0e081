import type { PointRow } from '@frontline/contracts';
import { describe, expect, it } from 'vitest';
import { heatmapMetrics } from '../src/point-metrics.js';
import { sortRows, tableColumns } from '../src/points-table-model.js';

/** An lf-tid@2 point with these trial outputs (an lf-tid@1 point when `orr` is null). */
function point(pointIndex: number, orr: number | null, toxicDeaths: number | null): PointRow {
  const summary = { median: { value: 400, lower: 350, upper: 450 }, at365: 0.6, at730: 0.3, rmst: 420 };
  return {
    pointIndex,
    axisValues: { dose: pointIndex },
    patients: 200,
    os: summary,
    pfs: summary,
    curedFraction: 0.1,
    medianLeaderFractionAtDiagnosis: 0.02,
    bestResponse: { CR: 10, PR: 50, SD: 100, PD: 40 },
    objectiveResponseRate: orr,
    toxicDeaths,
    toxicDeathFraction: toxicDeaths === null ? null : toxicDeaths / 200,
    meanDoseIntensity: orr === null ? null : 0.875,
    grade4NeutropeniaRate: orr === null ? null : 0.125,
    recistBestResponse: orr === null ? null : { CR: 5, PR: 55, SD: 90, PD: 40, NE: 10 },
  };
}

describe("points table: lf-tid@2's trial outputs", () => {
  const rows = [point(0, 0.3, 2), point(1, 0.55, 12), point(2, 0.45, 30)];

  it('adds ORR, toxic deaths, dose intensity and grade 4 neutropenia for lf-tid@2 sweeps only', () => {
    expect(tableColumns(['dose']).map((c) => c.label)).not.toContain('ORR');
    const columns = tableColumns(['dose'], { trial: true });
    const cells = (label: string) => rows.map((r) => columns.find((c) => c.label === label)!.text(r));
    expect(cells('ORR')).toEqual(['30.0%', '55.0%', '45.0%']);
    expect(cells('Toxic deaths')).toEqual(['2 (1.0%)', '12 (6.0%)', '30 (15.0%)']);
    expect(cells('Dose intensity')).toEqual(['87.5%', '87.5%', '87.5%']);
    expect(cells('Grade 4 neutropenia')).toEqual(['12.5%', '12.5%', '12.5%']);
  });

  it('sorts by a trial column like any other', () => {
    const columns = tableColumns(['dose'], { trial: true });
    const toxic = columns.find((c) => c.label === 'Toxic deaths')!.id;
    const orr = columns.find((c) => c.label === 'ORR')!.id;
    const order = (sorted: PointRow[]) => sorted.map((r) => r.pointIndex);
    expect(order(sortRows(rows, columns, { column: toxic, descending: true }))).toEqual([2, 1, 0]);
    expect(order(sortRows(rows, columns, { column: orr, descending: false }))).toEqual([0, 2, 1]);
  });

  it('offers ORR and toxic deaths as heatmap metrics, n/a at lf-tid@1 points', () => {
    const orr = heatmapMetrics.find((m) => m.id === 'orr')!;
    const toxic = heatmapMetrics.find((m) => m.id === 'toxicDeaths')!;
    expect(orr.read(rows[1]!)).toBe(0.55);
    expect(toxic.read(rows[2]!)).toBe(0.15);
    expect(orr.read(point(3, null, null))).toBeNull();
    expect(orr.format(null)).toBe('n/a');
  });
});
