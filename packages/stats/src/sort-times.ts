/**
 * In-place ascending sort of non-negative, finite doubles (no NaN, no -0) by LSD radix sort on their bit
 * patterns, which order like unsigned integers for such values. Four 16-bit passes, each skipped when every
 * value has the same digit (times rounded to a quarter day leave the low mantissa bits all zero). About
 * three times faster than `Float64Array.prototype.sort` at 10⁶ values, the dominant cost of a raw cohort.
 */

const SMALL = 4096;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export function sortNonNegativeTimes(values: Float64Array): void {
  const n = values.length;
  if (n < SMALL || !LITTLE_ENDIAN) {
    values.sort();
    return;
  }
  let source: Float64Array = values;
  let target: Float64Array = new Float64Array(n);
  let sourceWords: Uint32Array = new Uint32Array(source.buffer, source.byteOffset, 2 * n);
  let targetWords: Uint32Array = new Uint32Array(target.buffer, target.byteOffset, 2 * n);
  const offsets = new Uint32Array(65536);
  for (let pass = 0; pass < 4; pass++) {
    const word = pass >> 1; // low 32 bits first, then the high word (exponent and top of the mantissa)
    const shift = (pass & 1) * 16;
    offsets.fill(0);
    for (let i = 0; i < n; i++) offsets[(sourceWords[2 * i + word]! >>> shift) & 0xffff]!++;
    if (offsets[(sourceWords[word]! >>> shift) & 0xffff] === n) continue; // one digit everywhere
    let start = 0;
    for (let digit = 0; digit < 65536; digit++) {
      const count = offsets[digit]!;
      offsets[digit] = start;
      start += count;
    }
    for (let i = 0; i < n; i++) {
      const digit = (sourceWords[2 * i + word]! >>> shift) & 0xffff;
      target[offsets[digit]!++] = source[i]!;
    }
    [source, target] = [target, source];
    [sourceWords, targetWords] = [targetWords, sourceWords];
  }
  if (source !== values) values.set(source);
}
