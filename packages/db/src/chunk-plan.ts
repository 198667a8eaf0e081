/**
 * Planning a sweep's work as arithmetic: the sweep's points' missing patients, in point order, make
 * one flat work sequence; chunk k is positions [k·chunkSize, (k+1)·chunkSize) of it, so a chunk may
 * span many small points or cover part of a large one, and no chunk needs a row until it is queued.
 */

/** Patients [start, end). */
export interface PatientRange {
  start: number;
  end: number;
}

/** Patient ranges in [0, patients) not covered by the sorted, disjoint `existing` islands. */
export function missingRanges(existing: readonly PatientRange[], patients: number): PatientRange[] {
  const missing: PatientRange[] = [];
  let cursor = 0;
  for (const island of existing) {
    if (island.start > cursor) missing.push({ start: cursor, end: Math.min(island.start, patients) });
    cursor = Math.max(cursor, island.end);
  }
  if (cursor < patients) missing.push({ start: cursor, end: patients });
  return missing;
}

/** One point's share of the work sequence: its missing patients, starting at `workStart`. */
export interface PointWork {
  /** Position of its first missing patient in the sequence; null when it simulates nothing. */
  workStart: number | null;
  workPatients: number;
  missing: PatientRange[];
}

export interface WorkPlan {
  /** Per point of the sweep, in its order. */
  points: PointWork[];
  /** Simulations the sequence holds (the rest of points × patients is reused). */
  toSimulate: number;
}

/**
 * Lay the sweep's points (their ids, in design order) along the work sequence. `stored` holds, per
 * point id, the ranges already simulated (sorted, disjoint). A point id repeated in the design is
 * simulated once, at its first position.
 */
export function planWork(
  pointIds: readonly number[],
  stored: ReadonlyMap<number, readonly PatientRange[]>,
  patients: number,
): WorkPlan {
  const planner = workPlanner(patients);
  const points = planner.place(pointIds, stored);
  return { points, toSimulate: planner.toSimulate() };
}

/**
 * planWork batch by batch: `place` lays the next points of the design (in order) after those
 * placed before, so batches placed in turn give exactly planWork's plan of them all. `resume`: the
 * point ids already placed and the work they took, for a placement continued in another transaction.
 */
export function workPlanner(
  patients: number,
  resume: { placed: Iterable<number>; toSimulate: number } = { placed: [], toSimulate: 0 },
) {
  const seen = new Set<number>(resume.placed);
  let toSimulate = resume.toSimulate;
  return {
    place(pointIds: readonly number[], stored: ReadonlyMap<number, readonly PatientRange[]>): PointWork[] {
      return pointIds.map((pointId): PointWork => {
        if (seen.has(pointId)) return { workStart: null, workPatients: 0, missing: [] };
        seen.add(pointId);
        const missing = missingRanges(stored.get(pointId) ?? [], patients);
        const workPatients = missing.reduce((sum, r) => sum + r.end - r.start, 0);
        if (workPatients === 0) return { workStart: null, workPatients: 0, missing: [] };
        const work = { workStart: toSimulate, workPatients, missing };
        toSimulate += workPatients;
        return work;
      });
    },
    /** Whether the point id was placed before (a repeat simulates nothing). */
    placed: (pointId: number) => seen.has(pointId),
    /** Distinct points placed so far. */
    distinctPoints: () => seen.size,
    /** Positions of the sequence so far. */
    toSimulate: () => toSimulate,
  };
}

/** Chunks covering a work sequence of `toSimulate` positions. */
export const chunkCount = (toSimulate: number, chunkSize: number): number =>
  Math.ceil(toSimulate / chunkSize);

/**
 * Chunks a sweep may plan over `toSimulate` positions: all of them once every point is placed; while points
 * are still being placed, only the whole chunks (a partial last chunk would miss the work placed next).
 */
export const plannableChunks = (toSimulate: number, chunkSize: number, placing: boolean): number =>
  placing ? Math.floor(toSimulate / chunkSize) : chunkCount(toSimulate, chunkSize);

/** Positions [workStart, workEnd) of chunk `chunkIndex`. */
export function chunkWork(chunkIndex: number, chunkSize: number, toSimulate: number) {
  return { workStart: chunkIndex * chunkSize, workEnd: Math.min((chunkIndex + 1) * chunkSize, toSimulate) };
}

/** A point's place in the sequence, as sweep_points stores it. */
export interface PlacedPoint<P> {
  point: P;
  workStart: number;
  missing: readonly PatientRange[];
}

/** A chunk's work at one point: patients [patientStart, patientEnd) of it. */
export type Segment<P> = { point: P; patientStart: number; patientEnd: number };

/**
 * The segments of positions [workStart, workEnd), given the points whose work overlaps it (in
 * sequence order): each point's overlap mapped through its missing ranges to patient ranges.
 */
export function segmentsOf<P>(
  placed: readonly PlacedPoint<P>[],
  workStart: number,
  workEnd: number,
): Segment<P>[] {
  const segments: Segment<P>[] = [];
  for (const { point, workStart: pointStart, missing } of placed) {
    let position = pointStart;
    for (const range of missing) {
      const rangeEnd = position + range.end - range.start;
      const from = Math.max(workStart, position);
      const to = Math.min(workEnd, rangeEnd);
      if (from < to)
        segments.push({
          point,
          patientStart: range.start + from - position,
          patientEnd: range.start + to - position,
        });
      position = rangeEnd;
    }
  }
  return segments;
}

/** Missing ranges as stored: [start₀, end₀, start₁, end₁, …]. */
export const flattenRanges = (ranges: readonly PatientRange[]): number[] =>
  ranges.flatMap((r) => [r.start, r.end]);

export function unflattenRanges(flat: readonly number[]): PatientRange[] {
  const ranges: PatientRange[] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) ranges.push({ start: flat[i]!, end: flat[i + 1]! });
  return ranges;
}
