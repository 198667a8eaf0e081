/** Values per axis, in the order the user listed them. */
export type GridAxes = Readonly<Record<string, readonly number[]>>;

/**
 * Cartesian product of the axes: the first axis varies slowest, the last fastest, each axis in its
 * listed order, so the same axes always yield the same points at the same indices.
 */
export function gridPoints(axes: GridAxes): Record<string, number>[] {
  const entries = Object.entries(axes);
  if (entries.length === 0) return [];
  let points: [string, number][][] = [[]];
  for (const [name, values] of entries) {
    const next: [string, number][][] = [];
    for (const point of points) for (const value of values) next.push([...point, [name, value]]);
    points = next;
  }
  // fromEntries defines own properties, so an axis named like an Object.prototype key stays data.
  return points.map((point) => Object.fromEntries(point));
}

/** Number of grid points, without expanding them (for limit checks). */
export function gridSize(axes: GridAxes): number {
  const lists = Object.values(axes);
  return lists.length === 0 ? 0 : lists.reduce((size, values) => size * values.length, 1);
}
