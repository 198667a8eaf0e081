import type { SurvivalGroup } from '@frontline/contracts';
import * as Plot from '@observablehq/plot';
import { formatValue } from '../format.js';

export interface CurvePoint {
  group: string;
  time: number;
  survival: number;
  lower: number | null;
  upper: number | null;
}

/** A group's label: `dose=2, immuneKill=0.1` from its key (an object of axis values, or text). */
export function groupLabel(key: unknown): string {
  if (key === null || key === undefined || key === '') return 'all patients';
  if (typeof key !== 'object') return String(key);
  const entries = Object.entries(key as Record<string, unknown>);
  if (entries.length === 0) return 'all patients';
  return entries
    .map(([axis, value]) => `${axis}=${typeof value === 'number' ? formatValue(value) : String(value)}`)
    .join(', ');
}

/**
 * Kaplan–Meier steps of every group, starting at S(0) = 1. Each row holds S just after its time, so
 * the curve is drawn 'step-after'.
 */
export function curvePoints(groups: readonly SurvivalGroup[]): CurvePoint[] {
  const rows: CurvePoint[] = [];
  for (const group of groups) {
    const label = groupLabel(group.key);
    const { time, survival, lower, upper } = group.curve;
    if (time.length === 0 || (time[0] ?? 0) > 0)
      rows.push({ group: label, time: 0, survival: 1, lower: 1, upper: 1 });
    time.forEach((t, i) => {
      const s = survival[i];
      if (s === null || s === undefined) return;
      rows.push({ group: label, time: t, survival: s, lower: lower[i] ?? null, upper: upper[i] ?? null });
    });
  }
  return rows;
}

const endpointNames = {
  os: 'Overall survival',
  pfs: 'Progression-free survival',
  mfs: 'Metastasis-free survival',
};

/** Step curves with their 95% CI bands, one colour per group. */
export function survivalChart(
  groups: readonly SurvivalGroup[],
  endpoint: 'os' | 'pfs' | 'mfs',
  width: number,
) {
  const rows = curvePoints(groups);
  const domain = groups.map((g) => groupLabel(g.key));
  return Plot.plot({
    width,
    height: 380,
    marginLeft: 48,
    x: { label: 'Days since diagnosis', grid: true, domain: [0, Math.max(1, ...rows.map((r) => r.time))] },
    y: { label: `${endpointNames[endpoint]} S(t)`, domain: [0, 1], grid: true },
    color: { legend: true, domain, type: 'categorical' },
    marks: [
      Plot.areaY(rows, {
        x: 'time',
        y1: 'lower',
        y2: 'upper',
        fill: 'group',
        fillOpacity: 0.14,
        curve: 'step-after',
      }),
      Plot.line(rows, { x: 'time', y: 'survival', stroke: 'group', strokeWidth: 1.8, curve: 'step-after' }),
      Plot.ruleY([0]),
      Plot.tip(
        rows,
        Plot.pointerX({
          x: 'time',
          y: 'survival',
          stroke: 'group',
          channels: { group: 'group', lower: 'lower', upper: 'upper' },
          format: {
            x: (d: number) => `${Math.round(d)} d`,
            y: '.3f',
            lower: '.3f',
            upper: '.3f',
            stroke: false,
          },
        }),
      ),
    ],
  });
}
