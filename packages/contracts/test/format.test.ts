import { describe, expect, it } from 'vitest';
import { formatMedian, formatPValue, notReached } from '../src/format.js';

describe('shared result text (CLI and dashboard)', () => {
  it('prints p-values that underflowed as < 1e-300, never 0 or 0.0e+0', () => {
    expect(formatPValue(0)).toBe('< 1e-300');
    expect(formatPValue(1e-320)).toBe('< 1e-300'); // subnormal: the χ² tail has lost all precision
    expect(formatPValue(Number.MIN_VALUE)).toBe('< 1e-300');
    expect(formatPValue(2.5e-300)).toBe('2.5e-300');
    expect(formatPValue(3.21e-7)).toBe('3.2e-7');
    expect(formatPValue(0.03123)).toBe('0.0312');
    expect(formatPValue(1)).toBe('1.0000');
    expect(formatPValue(null)).toBe('–');
    expect(formatPValue(Number.NaN)).toBe('–');
  });

  it('spells a median that is not reached NR, with R’s NA for an undefined limit', () => {
    expect(notReached).toBe('NR');
    expect(formatMedian({ value: 184.24, lower: 180.06, upper: null })).toBe('184.2 (180.1–NA)');
    expect(formatMedian({ value: null, lower: null, upper: null })).toBe('NR');
    expect(formatMedian({ value: null, lower: 500, upper: null })).toBe('NR (500.0–NA)');
    expect(formatMedian({ value: 455.4, lower: 430, upper: 480.6 }, (d) => `${Math.round(d)} d`)).toBe(
      '455 d (430 d–481 d)',
    );
  });
});
