/**
 * Text for results that the CLI and the dashboard both print, so they spell them the same way:
 * p-values and medians that are not reached.
 */

/** A median (or limit) the Kaplan–Meier curve never reaches. */
export const notReached = 'NR';
/** A confidence limit that is undefined (R prints NA). */
export const notAvailable = 'NA';
/** A point or group with no outcomes yet. */
export const pending = 'pending';

/** Below this a double has no meaningful p-value left (0 from the χ² tail is an underflow, not a certainty). */
const smallestPValue = 1e-300;

/**
 * `0.0312`, `3.2e-7`, `< 1e-300` when the tail underflowed to 0 (never `0` or `0.0e+0`), `–` when the
 * test is undefined.
 */
export function formatPValue(value: number | null | undefined): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '–';
  if (value < smallestPValue) return '< 1e-300';
  return value < 1e-4 ? value.toExponential(1) : value.toFixed(4);
}

export interface MedianEstimate {
  value: number | null;
  lower: number | null;
  upper: number | null;
}

/**
 * `184.2 (180.1–190.3)`. An undefined limit prints as NA, as R does (the upper one often is); a median
 * the curve never reaches prints as NR, with its limits when the lower one exists.
 */
export function formatMedian(
  median: MedianEstimate,
  formatTime: (days: number) => string = (days) => days.toFixed(1),
): string {
  const limit = (v: number | null) => (v === null ? notAvailable : formatTime(v));
  if (median.value === null)
    return median.lower === null
      ? notReached
      : `${notReached} (${limit(median.lower)}–${limit(median.upper)})`;
  return `${formatTime(median.value)} (${limit(median.lower)}–${limit(median.upper)})`;
}
