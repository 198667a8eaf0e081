/**
 * The points table's columns, sorting and filtering, free of the DOM. Every column sorts by a
 * number (a point without an estimate sorts last either way), shows text, and can be filtered.
 */
import type { PointRow } from '@frontline/contracts';
import { formatValue } from './format.js';
import { axisValuesOf, pointColumns, trialColumns } from './point-metrics.js';

export interface TableColumn {
  id: string;
  label: string;
  axis: boolean;
  /** What the column sorts and range-filters by; null where there is no value. */
  value: (row: PointRow) => number | null;
  text: (row: PointRow) => string;
}

const finite = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : null);

/** The number each of point-metrics' columns shows, in the same order as `pointColumns`. */
const metricValues: readonly ((row: PointRow) => number | null)[] = [
  (r) => r.patients,
  (r) => finite(r.os.median.value),
  (r) => finite(r.os.at365),
  (r) => finite(r.os.at730),
  (r) => finite(r.os.rmst),
  (r) => finite(r.pfs.median.value),
  (r) => finite(r.pfs.at365),
  (r) => finite(r.pfs.at730),
  (r) => finite(r.pfs.rmst),
  (r) => finite(r.curedFraction),
  // Best response sorts by objective response rate, (CR + PR) / patients.
  (r) => (r.patients > 0 ? (r.bestResponse.CR + r.bestResponse.PR) / r.patients : null),
  (r) => finite(r.medianLeaderFractionAtDiagnosis),
];

/** The table's columns; `trial` adds lf-tid@2's trial outputs (ORR, toxic deaths, dose intensity). */
export function tableColumns(axes: readonly string[], { trial = false } = {}): TableColumn[] {
  return [
    ...axes.map((axis) => ({
      id: `axis:${axis}`,
      label: axis,
      axis: true,
      value: (row: PointRow) => finite(axisValuesOf(row, [axis])[axis]),
      text: (row: PointRow) => formatValue(axisValuesOf(row, [axis])[axis]),
    })),
    ...pointColumns.map((column, i) => ({
      id: `metric:${i}`,
      label: column.label,
      axis: false,
      value: metricValues[i] ?? (() => null),
      text: column.text,
    })),
    ...(trial ? trialColumns : []).map((column) => ({
      id: `trial:${column.label}`,
      label: column.label,
      axis: false,
      value: column.value,
      text: column.text,
    })),
  ];
}

export interface TableSort {
  column: string;
  descending: boolean;
}

export interface TableFilter {
  /** Rows whose cells contain this text (any column, case-insensitive). */
  text: string;
  /** Column id → inclusive range; an empty bound is open. */
  ranges: Record<string, { min?: number; max?: number }>;
}

/** Rows in the sort's order; rows without a value last, ties in point order. */
export function sortRows(rows: readonly PointRow[], columns: readonly TableColumn[], sort: TableSort | null) {
  const column = sort && columns.find((c) => c.id === sort.column);
  if (!column || !sort) return [...rows].sort((a, b) => a.pointIndex - b.pointIndex);
  const direction = sort.descending ? -1 : 1;
  return [...rows].sort((a, b) => {
    const x = column.value(a);
    const y = column.value(b);
    if (x === null || y === null) return x === y ? a.pointIndex - b.pointIndex : x === null ? 1 : -1;
    return x === y ? a.pointIndex - b.pointIndex : (x - y) * direction;
  });
}

export function filterRows(rows: readonly PointRow[], columns: readonly TableColumn[], filter: TableFilter) {
  const needle = filter.text.trim().toLowerCase();
  const ranges = Object.entries(filter.ranges)
    .map(([id, range]) => ({ column: columns.find((c) => c.id === id), ...range }))
    .filter((r) => r.column && (r.min !== undefined || r.max !== undefined));
  return rows.filter((row) => {
    for (const { column, min, max } of ranges) {
      const value = column!.value(row);
      if (value === null) return false;
      if (min !== undefined && value < min) return false;
      if (max !== undefined && value > max) return false;
    }
    return needle === '' || columns.some((c) => c.text(row).toLowerCase().includes(needle));
  });
}
