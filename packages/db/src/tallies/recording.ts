/**
 * How a sweep records one point's outcomes: on the point's time grid, as per-patient rows (unless
 * the sweep keeps summaries only) and, once per chunk, into the sweep's tallies.
 */
import type { OutcomeRetention } from '@frontline/contracts';
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
  /** What the sweep keeps: `summary` writes no per-patient rows. */
  outcomes: OutcomeRetention;
}

/** Look up a point's grid for a sweep (call once per point of a chunk, inside its transaction). */
export async function pointRecording(
  client: pg.ClientBase,
  point: { sweepId: string; pointId: number },
): Promise<PointRecording> {
  const { rows } = await client.query<{ params: unknown; outcomes: OutcomeRetention }>(
    'select p.params, s.outcomes from points p, sweeps s where p.id = $1 and s.id = $2',
    [point.pointId, point.sweepId],
  );
  if (!rows[0]) throw new Error(`no point ${point.pointId} or sweep ${point.sweepId}`);
  const { params, outcomes } = rows[0];
  return { sweepId: point.sweepId, pointId: point.pointId, stepDays: stepDaysOf(params), outcomes };
}

/** Insert the per-patient rows (idempotent, times on the grid; none in summary mode); returns how many were new. */
export async function storeOutcomeRows(
  client: pg.PoolClient,
  recording: PointRecording,
  records: readonly OutcomeRecord[],
): Promise<number> {
  if (recording.outcomes === 'summary') return 0;
  return insertOutcomes(client, recording.pointId, records, recording.stepDays);
}
