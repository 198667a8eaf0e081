/**
 * The exact sum Postgres takes of doubles as `numeric` — `sum(v::numeric)` over float8 values — computed
 * where the values are (a simulation thread), so a chunk sends one number per point instead of one per
 * patient. Postgres converts a float8 to numeric through `%.15g` (DBL_DIG significant digits, an exact
 * tie to even, as glibc prints), then adds exactly; this does the same, in integers. Checked against
 * Postgres itself in packages/db/test/numeric-sum.int.test.ts.
 */

/** Significant digits of float8 → numeric (DBL_DIG). */
const digits = 15;

/** Mantissas of 15 digits (< 10¹⁵) added as doubles stay exact for 8 additions (< 2⁵³); then into a BigInt. */
const exactAdditions = 8;

/** '5' */
const five = 53;

/**
 * `value` to 15 significant digits as Postgres rounds it, in toPrecision's notation. toPrecision rounds an
 * exact tie up, `%.15g` to even; only a value whose 16th significant digit is a 5 with nothing after it
 * is a tie (its exact expansion then has only zeros after that 5, which toPrecision(100) shows).
 */
function roundedText(value: number): string {
  const sixteen = value.toPrecision(digits + 1);
  const e = sixteen.indexOf('e');
  const mantissa = e < 0 ? sixteen : sixteen.slice(0, e);
  if (mantissa.charCodeAt(mantissa.length - 1) === five) {
    const exact = value.toPrecision(100);
    const exactMantissa = exact.slice(0, exact.indexOf('e') < 0 ? exact.length : exact.indexOf('e'));
    const significant = exactMantissa.replace('-', '').replace('.', '').replace(/^0+/, '');
    // A tie whose 15th digit is even rounds down: the 16 digits without their last.
    if (/^\d{15}50*$/.test(significant) && Number(significant[14]) % 2 === 0) {
      const kept = mantissa.slice(0, -1);
      const text = kept.endsWith('.') ? kept.slice(0, -1) : kept;
      // 16 digits without a point (an integer ≥ 10¹⁵): dropping one divides by ten.
      const exponent = (e < 0 ? 0 : Number(sixteen.slice(e + 1))) + (mantissa.includes('.') ? 0 : 1);
      return `${text}e${exponent}`;
    }
  }
  return value.toPrecision(digits);
}

/** Σ of `values` as Postgres's `sum(v::numeric)` gives it, as a numeric literal ("0" for none). */
export function numericSum(values: readonly number[]): string {
  // Per power of ten: a running double (exact), how many it holds, and what was flushed from it.
  const sums = new Map<number, { running: number; count: number; flushed: bigint }>();
  for (const value of values) {
    if (value === 0) continue;
    const text = roundedText(value);
    const e = text.indexOf('e');
    const mantissa = e < 0 ? text : text.slice(0, e);
    let exponent = e < 0 ? 0 : Number(text.slice(e + 1));
    const point = mantissa.indexOf('.');
    let integer = mantissa;
    if (point >= 0) {
      integer = mantissa.slice(0, point) + mantissa.slice(point + 1);
      exponent -= mantissa.length - point - 1;
    }
    let sum = sums.get(exponent);
    if (!sum) {
      sum = { running: 0, count: 0, flushed: 0n };
      sums.set(exponent, sum);
    }
    sum.running += Number(integer);
    if (++sum.count === exactAdditions) {
      sum.flushed += BigInt(sum.running);
      sum.running = 0;
      sum.count = 0;
    }
  }
  if (sums.size === 0) return '0';
  const lowest = Math.min(...sums.keys());
  let total = 0n;
  for (const [exponent, sum] of sums)
    total += (sum.flushed + BigInt(sum.running)) * 10n ** BigInt(exponent - lowest);
  return lowest >= 0 ? `${total}${'0'.repeat(lowest)}` : `${total}e${lowest}`;
}
