/**
 * How a sweep records one point's outcomes: on the point's time grid, as per-patient rows (unless
 * the sweep keeps summaries only) and, once per chunk, into the sweep's tallies (record-chunk.ts).
 */
import type { OutcomeRetention } from '@frontline/contracts';

/** What writing a point's outcomes for a sweep needs to know. */
export interface PointRecording {
  sweepId: string;
  pointId: number;
  /** The point's time grid (its `stepDays`). */
  stepDays: number;
  /** What the sweep keeps: `summary` writes no per-patient rows. */
  outcomes: OutcomeRetention;
}
