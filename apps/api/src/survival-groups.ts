import type { PointGroup, SweepPointAxes } from '@frontline/db';

/** A group of pooled patients: the points sharing one combination of the grouped axes. */
export interface SurvivalGroup {
  key: Record<string, number>;
  /** For axes cut into quantile bins: the smallest and largest value of the group's points (key = smallest). */
  ranges?: Record<string, [number, number]>;
  /** Set when each point is its own group (no groupBy). */
  pointIndex?: number;
  points: SweepPointAxes[];
}

function compareKeys(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

/**
 * One group per distinct combination of the `groupBy` axes, ordered by those values; without
 * `groupBy`, one group per point in design order, keyed by all its axis values.
 */
export function groupPoints(
  points: readonly SweepPointAxes[],
  groupBy: readonly string[] | null,
): { groups: SurvivalGroup[]; pointGroups: PointGroup[] } {
  if (groupBy === null) {
    return {
      groups: points.map((p) => ({ key: { ...p.axisValues }, pointIndex: p.pointIndex, points: [p] })),
      pointGroups: points.map((p, group) => ({ pointId: p.pointId, group })),
    };
  }
  const byKey = new Map<string, { values: number[]; points: SweepPointAxes[] }>();
  for (const point of points) {
    const values = groupBy.map((axis) => point.axisValues[axis]!);
    const id = JSON.stringify(values);
    const entry = byKey.get(id) ?? { values, points: [] };
    entry.points.push(point);
    byKey.set(id, entry);
  }
  const ordered = [...byKey.values()].sort((a, b) => compareKeys(a.values, b.values));
  const groups = ordered.map(({ values, points: members }) => ({
    key: Object.fromEntries(groupBy.map((axis, i) => [axis, values[i]!])),
    points: members,
  }));
  const pointGroups = groups.flatMap((g, group) => g.points.map((p) => ({ pointId: p.pointId, group })));
  return { groups, pointGroups };
}

export type Comparison =
  | { method: 'referenceArm'; referenceArm: Record<string, number>; references: (number | null)[] }
  | { method: 'allGroups'; reason: string };

const keyId = (key: Record<string, number>) =>
  JSON.stringify(
    Object.keys(key)
      .sort()
      .map((axis) => [axis, key[axis]]),
  );

/**
 * How groups are contrasted. With a reference arm whose axes are (partly) among the group keys, each
 * group is compared with the group that has the same key except the reference values on those axes
 * (the reference axes not grouped by are pooled alike in both). Otherwise all groups are tested together.
 */
export function chooseComparison(
  groups: readonly SurvivalGroup[],
  referenceArm: Record<string, number> | null,
): Comparison {
  if (!referenceArm) return { method: 'allGroups', reason: 'the sweep has no referenceArm' };
  const keyAxes = new Set(groups.flatMap((g) => Object.keys(g.key)));
  const axes = Object.keys(referenceArm).filter((axis) => keyAxes.has(axis));
  if (axes.length === 0)
    return {
      method: 'allGroups',
      reason: `the referenceArm axes (${Object.keys(referenceArm).join(', ')}) are not grouped by`,
    };
  const arm = Object.fromEntries(axes.map((axis) => [axis, referenceArm[axis]!]));
  const indexByKey = new Map(groups.map((group, index) => [keyId(group.key), index]));
  const references = groups.map((group, index) => {
    const found = indexByKey.get(keyId({ ...group.key, ...arm }));
    return found === undefined || found === index ? null : found;
  });
  return { method: 'referenceArm', referenceArm: arm, references };
}

/**
 * Cut each `groupBy` axis with more than `bins` distinct values into `bins` quantile bins of the sweep's
 * points (about as many points in each; equal values always share a bin). Returns the points with each
 * binned axis value replaced by its bin's smallest value, so groupPoints groups by bin, and the range of
 * every bin, to label the groups. Axes with at most `bins` values are left as they are.
 */
export function binContinuousAxes(
  points: readonly SweepPointAxes[],
  groupBy: readonly string[],
  bins: number,
): { points: SweepPointAxes[]; binned: string[]; ranges: Map<string, Map<number, [number, number]>> } {
  const ranges = new Map<string, Map<number, [number, number]>>();
  const binOf = new Map<string, (value: number) => number>();
  for (const axis of groupBy) {
    const sorted = points.map((p) => p.axisValues[axis]!).sort((a, b) => a - b);
    if (new Set(sorted).size <= bins) continue;
    // Cut values at the 1/bins … (bins−1)/bins quantiles of the points; bin = number of cuts ≤ value.
    const cuts = [
      ...new Set(
        Array.from({ length: bins - 1 }, (_, b) => sorted[Math.floor(((b + 1) * sorted.length) / bins)]!),
      ),
    ];
    const low = new Map<number, number>(); // bin → smallest value
    const high = new Map<number, number>();
    const index = (value: number) => {
      let lo = 0;
      let hi = cuts.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (cuts[mid]! <= value) lo = mid + 1;
        else hi = mid;
      }
      return lo;
    };
    for (const value of sorted) {
      const b = index(value);
      if (!low.has(b)) low.set(b, value);
      high.set(b, value);
    }
    ranges.set(axis, new Map([...low].map(([b, from]) => [from, [from, high.get(b)!] as [number, number]])));
    binOf.set(axis, (value) => low.get(index(value))!);
  }
  const binned = [...binOf.keys()];
  if (binned.length === 0) return { points: [...points], binned, ranges };
  return {
    points: points.map((p) => {
      const axisValues = { ...p.axisValues };
      for (const [axis, bin] of binOf) axisValues[axis] = bin(axisValues[axis]!);
      return { ...p, axisValues };
    }),
    binned,
    ranges,
  };
}

/**
 * A group's points split by the values of the axes it pools (those not grouped by): with common random
 * numbers each point of a sweep holds the same virtual patients, so a group pooling k points holds each
 * patient k times. Comparisons treat each combination of the pooled axes as a stratum (R's `strata()`),
 * so a patient is only ever compared with their own copies under other arms, never counted k times.
 */
export interface GroupCells {
  /** The pooled axes; empty when no group pools points of different settings of another axis. */
  stratifiedBy: string[];
  /** Each cell's group and stratum (the stratum's index, in order of first appearance). */
  cells: { group: number; stratum: number }[];
  /** Point → cell, to count each cell with survivalCounts. */
  pointCells: PointGroup[];
}

/**
 * `strataValues` replaces a point's axis values for the strata: with `bins`, continuous pooled axes are cut
 * into quantile bins too, else a sampled design would have one point per stratum and nothing to compare.
 */
export function groupCells(
  groups: readonly SurvivalGroup[],
  groupBy: readonly string[] | null,
  axes: readonly string[],
  strataValues: ReadonlyMap<number, Record<string, number>> = new Map(),
): GroupCells {
  const stratifiedBy = groupBy === null ? [] : axes.filter((axis) => !groupBy.includes(axis));
  const strata = new Map<string, number>();
  const cellIds = new Map<string, number>();
  const cells: GroupCells['cells'] = [];
  const pointCells: PointGroup[] = [];
  groups.forEach((group, g) => {
    for (const point of group.points) {
      const values = strataValues.get(point.pointId) ?? point.axisValues;
      const label = JSON.stringify(stratifiedBy.map((axis) => values[axis]));
      let stratum = strata.get(label);
      if (stratum === undefined) {
        stratum = strata.size;
        strata.set(label, stratum);
      }
      const id = `${g}:${stratum}`;
      let cell = cellIds.get(id);
      if (cell === undefined) {
        cell = cells.length;
        cellIds.set(id, cell);
        cells.push({ group: g, stratum });
      }
      pointCells.push({ pointId: point.pointId, group: cell });
    }
  });
  return { stratifiedBy: strata.size > 1 ? stratifiedBy : [], cells, pointCells };
}
