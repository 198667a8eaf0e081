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

/** A p-value below what a double can hold (it underflowed to 0) prints as `< 1e-300`, never `0.0e+0`. */
export function pValue(value: number | null | undefined): string {
  if (value === null || value === undefined || Number.isNaN(value)) return dash;
  if (value < 1e-300) return '< 1e-300';
  return value < 1e-4 ? value.toExponential(1) : value.toFixed(4);
}

/**
 * `184.2 (180.1–190.3)`. An undefined limit prints as NA, as R does (the upper one often is); a median
 * the curve never reaches prints as NR (not reached), with its limits when the lower one exists.
 */
export function withInterval(value: number | null, lower: number | null, upper: number | null): string {
  const limit = (v: number | null) => (v === null ? 'NA' : days(v));
  if (value === null) return lower === null ? 'NR' : `NR (${limit(lower)}–${limit(upper)})`;
  return `${days(value)} (${limit(lower)}–${limit(upper)})`;
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
