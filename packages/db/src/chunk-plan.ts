/** Planning a sweep's work: which patients of which points still need simulating, cut into chunks. */

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

/** One planned chunk: patients [patientStart, patientEnd) of one point; its index is its position. */
export interface PlannedChunk {
  pointId: number;
  patientStart: number;
  patientEnd: number;
}

export interface ChunkPlan {
  chunks: PlannedChunk[];
  /** Simulations the chunks run (the rest of points × patients is reused). */
  toSimulate: number;
}

/**
 * Chunks of at most `chunkSize` patients covering every patient of `pointIds` that `stored` (ranges
 * already simulated, per point, sorted and disjoint) does not, point by point in the given order.
 */
export function planChunks(
  pointIds: readonly number[],
  stored: ReadonlyMap<number, readonly PatientRange[]>,
  patients: number,
  chunkSize: number,
): ChunkPlan {
  const chunks: PlannedChunk[] = [];
  let toSimulate = 0;
  for (const pointId of pointIds) {
    for (const range of missingRanges(stored.get(pointId) ?? [], patients)) {
      toSimulate += range.end - range.start;
      for (let start = range.start; start < range.end; start += chunkSize)
        chunks.push({ pointId, patientStart: start, patientEnd: Math.min(start + chunkSize, range.end) });
    }
  }
  return { chunks, toSimulate };
}
