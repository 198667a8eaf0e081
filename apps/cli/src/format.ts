import { formatMedian, formatPValue } from '@frontline/contracts/format';
/** Plain-text rendering for terminals: aligned tables and short numbers. */

export type Align = 'left' | 'right';

export function table(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  align?: readonly Align[],
) {
  const widths = headers.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, c) =>
        (align?.[c] ?? 'left') === 'right' ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!),
      )
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '─'.repeat(w))), ...rows.map(line)].join('\n');
}

const dash = '–';

/** Days with one decimal; a dash where undefined (null from the API). */
export function days(value: number | null | undefined): string {
  return value === null || value === undefined || Number.isNaN(value) ? dash : value.toFixed(1);
}

export function fraction(value: number | null | undefined, digits = 3): string {
  return value === null || value === undefined || Number.isNaN(value) ? dash : value.toFixed(digits);
}

/** p-values as the dashboard prints them (`< 1e-300` for an underflowed tail, never `0.0e+0`). */
export const pValue = formatPValue;

/** `184.2 (180.1–190.3)`, NR when not reached and NA for an undefined limit, as in the dashboard. */
export function withInterval(value: number | null, lower: number | null, upper: number | null): string {
  return formatMedian({ value, lower, upper }, days);
}

export function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return dash;
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export function count(value: number): string {
  return value.toLocaleString('en-US');
}

/** `dose=2 immuneKill=0.035`, or `all patients` for an empty key. */
export function groupLabel(key: Record<string, number>): string {
  const parts = Object.entries(key).map(([axis, value]) => `${axis}=${value}`);
  return parts.length > 0 ? parts.join(' ') : 'all patients';
}
