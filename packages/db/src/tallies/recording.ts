/**
 * How a sweep records one point's outcomes: on the point's time grid, as per-patient rows (unless
 * the sweep keeps summaries only) and, once per chunk, into the sweep's tallies.
 */
import type pg from 'pg';
import type { OutcomeRecord } from '../outcome-columns.js';
import { insertOutcomes } from '../outcomes.js';
import { stepDaysOf } from './time-grid.js';

/** What writing a point's outcomes for a sweep needs to know. */
export interface PointRecording {
  sweepId: string;
  pointId: number;
  /** The point's time grid (its `stepDays`). */
  stepDays: number;
}

/** Look up a point's grid for a sweep (call once per point of a chunk, inside its transaction). */
export async function pointRecording(
  client: pg.ClientBase,
  point: { sweepId: string; pointId: number },
): Promise<PointRecording> {
  const { rows } = await client.query<{ params: unknown }>('select params from points where id = $1', [
    point.pointId,
  ]);
  if (!rows[0]) throw new Error(`no point ${point.pointId}`);
  return { sweepId: point.sweepId, pointId: point.pointId, stepDays: stepDaysOf(rows[0].params) };
}

/** Insert the per-patient rows (idempotent, times on the grid); returns how many were new. */
export async function storeOutcomeRows(
  client: pg.PoolClient,
  recording: PointRecording,
  records: readonly OutcomeRecord[],
): Promise<number> {
  return insertOutcomes(client, recording.pointId, records, recording.stepDays);
}
