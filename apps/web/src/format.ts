// The subpath, not the package index: the formatters without the zod schemas.
import { formatMedian, type MedianEstimate, notReached, pending } from '@frontline/contracts/format';

const integer = new Intl.NumberFormat('en', { maximumFractionDigits: 0 });

export function formatCount(value: number): string {
  return integer.format(value);
}

/** Up to 3 significant digits, enough to tell grid values apart. */
export function formatValue(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  if (value !== 0 && (Math.abs(value) < 1e-3 || Math.abs(value) >= 1e5)) return value.toExponential(2);
  return String(Number(value.toPrecision(3)));
}

export function formatDays(value: number | null | undefined): string {
  return value === null || value === undefined || !Number.isFinite(value)
    ? notReached
    : `${integer.format(value)} d`;
}

/** `455 d (430 d–NA)`, `NR`, or `pending` for a point or group with no outcomes yet. */
export function formatMedianDays(median: MedianEstimate | null | undefined, patients: number): string {
  if (patients === 0 || !median) return pending;
  return formatMedian(median, (days) => `${integer.format(days)} d`);
}

/** Significant digits of `value` rounded to `digits`, without trailing zeros or exponent noise. */
const toDigits = (value: number, digits: number) => String(Number(value.toPrecision(digits)));

/**
 * A formatter for the values of one axis with the fewest significant digits (at least 2) that keep them
 * apart: `0.2598207698484945` prints as `0.26` beside `0.51`, and as `0.2598` beside `0.2601`. Integer
 * digits are never rounded away.
 */
export function axisValueFormatter(values: Iterable<number>): (value: number) => string {
  const distinct = [...new Set([...values].filter(Number.isFinite))];
  // Never round away integer digits (1234 stays 1234, not 1200).
  const largest = Math.max(0, ...distinct.map(Math.abs));
  let digits = Math.min(17, Math.max(2, largest >= 1 ? Math.floor(Math.log10(largest)) + 1 : 0));
  while (digits < 17 && new Set(distinct.map((v) => toDigits(v, digits))).size < distinct.length) digits++;
  return (value) => {
    if (!Number.isFinite(value)) return String(value);
    if (value !== 0 && (Math.abs(value) < 1e-4 || Math.abs(value) >= 1e6))
      return value.toExponential(Math.max(0, digits - 1));
    return toDigits(value, digits);
  };
}

export function formatPercent(value: number | null | undefined): string {
  return value === null || value === undefined || !Number.isFinite(value)
    ? '–'
    : `${(value * 100).toFixed(1)}%`;
}

export function formatRate(perSecond: number | null | undefined): string {
  return perSecond === null || perSecond === undefined ? '–' : `${formatValue(perSecond)}/s`;
}

export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '–';
  if (seconds < 1) return '<1 s';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '–';
  return new Date(iso).toLocaleString('en-GB', { dateStyle: 'short', timeStyle: 'medium' });
}
