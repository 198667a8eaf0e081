import type { PointRow } from '@frontline/contracts';
import { formatCount, formatDays, formatMedianDays, formatPercent, formatValue } from './format.js';

/** Rows of GET /v1/sweeps/{id}/points (`{ points: [...] }`). */
export function pointRows(response: unknown): PointRow[] {
  const points = (response as { points?: unknown } | null)?.points;
  return Array.isArray(points) ? (points as PointRow[]) : [];
}

/** Value at a dotted path (`os.median.value`), or undefined. */
export function at(row: unknown, path: string): unknown {
  let value: unknown = row;
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

const numberAt = (row: unknown, path: string): number | null => {
  const value = at(row, path);
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
};

/** A point's axis values. */
export function axisValuesOf(row: PointRow, axes: readonly string[]): Record<string, number> {
  const source = (row.axisValues ?? {}) as Record<string, unknown>;
  const values: Record<string, number> = {};
  for (const axis of axes) {
    const value = source[axis];
    if (typeof value === 'number') values[axis] = value;
  }
  return values;
}

export interface HeatmapMetric {
  id: string;
  label: string;
  /** null where there is no estimate (median not reached, time past follow-up, no outcomes yet). */
  read: (row: PointRow) => number | null;
  format: (value: number | null) => string;
  percent: boolean;
}

export const heatmapMetrics: readonly HeatmapMetric[] = [
  {
    id: 'medianOs',
    label: 'Median OS (days)',
    read: (row) => numberAt(row, 'os.median.value'),
    format: formatDays,
    percent: false,
  },
  {
    id: 'os730',
    label: 'OS at 24 months',
    read: (row) => numberAt(row, 'os.at730'),
    format: (value) => (value === null ? 'n/a' : formatPercent(value)),
    percent: true,
  },
  // lf-tid@2: where the dose window closes, response against toxicity (n/a at lf-tid@1 points).
  {
    id: 'orr',
    label: 'Objective response rate',
    read: (row) => numberAt(row, 'objectiveResponseRate'),
    format: (value) => (value === null ? 'n/a' : formatPercent(value)),
    percent: true,
  },
  {
    id: 'toxicDeaths',
    label: 'Toxic deaths (fraction)',
    read: (row) => numberAt(row, 'toxicDeathFraction'),
    format: (value) => (value === null ? 'n/a' : formatPercent(value)),
    percent: true,
  },
];

function medianText(row: PointRow, endpoint: 'os' | 'pfs'): string {
  return formatMedianDays(row[endpoint]?.median, row.patients);
}

function responseText(value: unknown): string {
  const counts = (value ?? {}) as Record<string, number>;
  return ['CR', 'PR', 'SD', 'PD'].map((k) => formatCount(counts[k] ?? 0)).join(' / ');
}

export interface PointColumn {
  label: string;
  text: (row: PointRow) => string;
  numeric: boolean;
}

/** lf-tid@2's trial outputs per point (docs/model-v2.md §6): shown for lf-tid@2 sweeps only. */
export const trialColumns: readonly (PointColumn & { value: (row: PointRow) => number | null })[] = [
  {
    label: 'ORR',
    value: (r) => numberAt(r, 'objectiveResponseRate'),
    text: (r) => formatPercent(numberAt(r, 'objectiveResponseRate')),
    numeric: true,
  },
  {
    label: 'Toxic deaths',
    value: (r) => numberAt(r, 'toxicDeathFraction'),
    text: (r) =>
      r.toxicDeaths === null
        ? 'n/a'
        : `${formatCount(r.toxicDeaths)} (${formatPercent(numberAt(r, 'toxicDeathFraction'))})`,
    numeric: true,
  },
  {
    label: 'Dose intensity',
    value: (r) => numberAt(r, 'meanDoseIntensity'),
    text: (r) => formatPercent(numberAt(r, 'meanDoseIntensity')),
    numeric: true,
  },
  {
    label: 'Grade 4 neutropenia',
    value: (r) => numberAt(r, 'grade4NeutropeniaRate'),
    text: (r) => formatPercent(numberAt(r, 'grade4NeutropeniaRate')),
    numeric: true,
  },
];

const endpointColumns = (endpoint: 'os' | 'pfs', name: string): PointColumn[] => [
  { label: `Median ${name} (95% CI)`, text: (r) => medianText(r, endpoint), numeric: true },
  { label: `${name} 12 mo`, text: (r) => formatPercent(numberAt(r, `${endpoint}.at365`)), numeric: true },
  { label: `${name} 24 mo`, text: (r) => formatPercent(numberAt(r, `${endpoint}.at730`)), numeric: true },
  { label: `RMST ${name}`, text: (r) => formatDays(numberAt(r, `${endpoint}.rmst`)), numeric: true },
];

/** The per-point table's columns after the axes. */
export const pointColumns: readonly PointColumn[] = [
  { label: 'Patients', text: (r) => formatCount(numberAt(r, 'patients') ?? 0), numeric: true },
  ...endpointColumns('os', 'OS'),
  ...endpointColumns('pfs', 'PFS'),
  { label: 'Cured', text: (r) => formatPercent(numberAt(r, 'curedFraction')), numeric: true },
  { label: 'CR / PR / SD / PD', text: (r) => responseText(r.bestResponse), numeric: true },
  {
    label: 'Leader fraction at diagnosis (median)',
    text: (r) => formatValue(numberAt(r, 'medianLeaderFractionAtDiagnosis')),
    numeric: true,
  },
];
