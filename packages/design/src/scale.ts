/** A continuous axis: the unit interval maps onto [min, max], evenly or evenly in log space. */
export interface AxisRange {
  readonly min: number;
  readonly max: number;
  readonly scale?: 'linear' | 'log' | undefined;
}

export type RangeAxes = Readonly<Record<string, AxisRange>>;

/**
 * Maps points of [0, 1)^d onto the axes, coordinate j onto the j-th axis (in key order). `log`
 * spaces values evenly in ln, so each decade of a range like seedingRate 1e-6–1e-4 gets the same
 * share of points; it needs min > 0.
 */
export function scaleToAxes(
  unitPoints: readonly (readonly number[])[],
  axes: RangeAxes,
): Record<string, number>[] {
  const names = Object.keys(axes);
  const ranges = Object.values(axes);
  for (const [j, name] of names.entries()) {
    // Assigned below as a plain key, where `__proto__` would set the prototype instead of an axis value.
    if (name === '__proto__') throw new RangeError('axis name __proto__ is not allowed');
    checkRange(name, ranges[j]!);
  }
  // A plain loop per point: Object.fromEntries over mapped pairs took 4× as long (~0.5 µs a point of 3
  // axes), in the synchronous step that generates a design of up to 10⁵ points before any reply.
  return unitPoints.map((point) => {
    if (point.length !== names.length) {
      throw new RangeError(`point has ${point.length} coordinates for ${names.length} axes`);
    }
    const values: Record<string, number> = {};
    for (let j = 0; j < names.length; j++) values[names[j]!] = scaleUnit(point[j]!, ranges[j]!);
    return values;
  });
}

/** One coordinate u ∈ [0, 1) onto the axis, clamped so rounding never leaves [min, max]. */
export function scaleUnit(u: number, range: AxisRange): number {
  const { min, max } = range;
  const value =
    range.scale === 'log'
      ? Math.exp(Math.log(min) + u * (Math.log(max) - Math.log(min)))
      : min + u * (max - min);
  return Math.min(max, Math.max(min, value));
}

function checkRange(name: string, { min, max, scale }: AxisRange): void {
  if (!Number.isFinite(min) || !Number.isFinite(max) || min > max) {
    throw new RangeError(`axis ${name}: need finite min ≤ max, got [${min}, ${max}]`);
  }
  if (scale === 'log' && min <= 0) throw new RangeError(`axis ${name}: log scale needs min > 0, got ${min}`);
}
