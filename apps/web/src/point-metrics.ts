import type { PointRow } from './api.js';
import { formatDays, formatPercent, formatValue } from './format.js';

/** The rows of GET /v1/sweeps/{id}/points, whether sent bare or wrapped. */
export function pointRows(response: unknown): PointRow[] {
  if (Array.isArray(response)) return response as PointRow[];
  const wrapped = response as { points?: unknown; items?: unknown } | null;
  if (Array.isArray(wrapped?.points)) return wrapped.points as PointRow[];
  if (Array.isArray(wrapped?.items)) return wrapped.items as PointRow[];
  return [];
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

function firstNumber(row: PointRow, paths: readonly string[]): number | null {
  for (const path of paths) {
    const value = at(row, path);
    if (typeof value === 'number' && Number.isFinite(value)) return value;
    if (value !== undefined) return null; // the field exists but has no estimate (e.g. median not reached)
  }
  return null;
}

/** A point's axis values, read from its `axisValues` (or `axes`) object. */
export function axisValuesOf(row: PointRow, axes: readonly string[]): Record<string, number> {
  const source = (row.axisValues ?? row.axes ?? row) as Record<string, unknown>;
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
  read: (row: PointRow) => number | null;
  format: (value: number | null) => string;
  percent: boolean;
}

export const heatmapMetrics: readonly HeatmapMetric[] = [
  {
    id: 'medianOs',
    label: 'Median OS (days)',
    read: (row) => firstNumber(row, ['medianOs.value', 'medianOs', 'os.median.value', 'os.median']),
    format: formatDays,
    percent: false,
  },
  {
    id: 'os730',
    label: 'OS at 24 months',
    read: (row) =>
      firstNumber(row, [
        'osAt730.survival',
        'osAt730.value',
        'osAt730',
        'os730',
        'os.survivalAt.730.survival',
        'os.at730',
      ]),
    format: (value) => (value === null ? 'n/a' : formatPercent(value)),
    percent: true,
  },
];

/** One table cell's text: numbers rounded, {value, lower, upper} as "v (l–u)", counts as "k v · …". */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return '–';
  if (typeof value === 'number') return formatValue(value);
  if (typeof value !== 'object') return String(value);
  const record = value as Record<string, unknown>;
  const estimate = record.value ?? record.survival ?? record.median ?? record.rmst;
  if (typeof estimate === 'number' || estimate === null) {
    const lower = record.lower;
    const upper = record.upper;
    const interval =
      lower !== undefined || upper !== undefined
        ? ` (${formatValue(lower as number)}–${formatValue(upper as number)})`
        : '';
    return `${estimate === null ? 'NR' : formatValue(estimate)}${interval}`;
  }
  return Object.entries(record)
    .map(([k, v]) => `${k} ${typeof v === 'object' ? cellText(v) : cellText(v)}`)
    .join(' · ');
}

/** Table columns: every top-level field except the axis values (shown first, one column per axis). */
export function tableColumns(rows: readonly PointRow[]): string[] {
  const columns = new Set<string>();
  for (const row of rows)
    for (const key of Object.keys(row)) if (key !== 'axisValues' && key !== 'axes') columns.add(key);
  return [...columns];
}
