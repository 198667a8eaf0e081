/**
 * How a sweep records one point's outcomes: on the point's time grid, as per-patient rows (unless
 * the sweep keeps summaries only) and, once per chunk, into the sweep's tallies.
 */
import type { OutcomeRetention } from '@frontline/contracts';
import type pg from 'pg';
import type { OutcomeRecord } from '../outcome-columns.js';
import { insertOutcomesOfPoints } from '../outcomes.js';
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

/** The recordings of a chunk's points for a sweep, in the order given, with one lookup. */
export async function pointRecordings(
  client: pg.Pool | pg.ClientBase,
  sweepId: string,
  pointIds: readonly number[],
): Promise<PointRecording[]> {
  const { rows } = await client.query<{ id: number; params: unknown; outcomes: OutcomeRetention }>(
    'select p.id, p.params, s.outcomes from points p, sweeps s where p.id = any($1::int4[]) and s.id = $2',
    [pointIds, sweepId],
  );
  const byId = new Map(rows.map((r) => [r.id, r]));
  return pointIds.map((pointId) => {
    const row = byId.get(pointId);
    if (!row) throw new Error(`no point ${pointId} or sweep ${sweepId}`);
    return { sweepId, pointId, stepDays: stepDaysOf(row.params), outcomes: row.outcomes };
  });
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
