/**
 * How a sweep records one point's outcomes: on the point's time grid, as per-patient rows (unless
 * the sweep keeps summaries only) and, once per chunk, into the sweep's tallies.
 */
import type { OutcomeRetention } from '@frontline/contracts';
import type pg from 'pg';
import type { OutcomeRecord } from '../outcome-columns.js';
import { insertOutcomesOfPoints } from '../outcomes.js';

/** What writing a point's outcomes for a sweep needs to know. */
export interface PointRecording {
  sweepId: string;
  pointId: number;
  /** The point's time grid (its `stepDays`). */
  stepDays: number;
  /** What the sweep keeps: `summary` writes no per-patient rows. */
  outcomes: OutcomeRetention;
}

/** Insert the rows of every segment of a chunk in one statement (none in summary mode); returns how many were new. */
export async function storeOutcomeRowsOfPoints(
  client: pg.PoolClient,
  recordings: readonly PointRecording[],
  outcomes: readonly (readonly OutcomeRecord[])[],
): Promise<number> {
  const kept = recordings.flatMap((recording, i) =>
    recording.outcomes === 'summary'
      ? []
      : [{ pointId: recording.pointId, stepDays: recording.stepDays, records: outcomes[i] ?? [] }],
  );
  return insertOutcomesOfPoints(client, kept);
}
