/** Throws a RangeError unless `value` is an integer ≥ `min` (a count of points or dimensions). */
export function checkCount(name: string, value: number, min: number): void {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new RangeError(`${name} must be an integer ≥ ${min}, got ${value}`);
  }
}
