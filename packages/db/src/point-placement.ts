/**
 * Placing a large design after its reply (docs/spec.md, "Large designs"). createSweep writes the first
 * points and leaves the sweep *placing*: `points_placed` counts the points written, `work_length` the work
 * they make, and only whole chunks of it are planned, so every chunk queued covers points already placed.
 * The rest go in here, one batch per transaction, each under the sweep's row lock and only if the count
 * still matches (a placer that lost its place stops). The last batch sets the final totals and plan.
 * One placer per sweep at a time holds claimPlacement's session lock; if its process dies the lock goes
 * with its connection and the reconciler resumes the placement where the last commit left it.
 */
import type { ChunkRef } from '@frontline/queue';
import type pg from 'pg';
import { plannableChunks, workPlanner } from './chunk-plan.js';
import { createNextChunks } from './chunks.js';
import { inTransaction } from './client.js';
import { activeSweepStatesSql, chunkStatus, sweepState } from './sql-vocabulary.js';
import {
  lockOutcomeReuse,
  type NewSweepPoint,
  type PlacementTarget,
  placeBatch,
  placementTotals,
  type WorkPlanner,
} from './sweeps.js';

/** An unfinished placement: its sweep, where it stands, and the plan of the points placed so far. */
export interface Placement {
  target: PlacementTarget;
  designPoints: number;
  pointsPlaced: number;
  chunkSize: number;
  chunkWindow: number;
  planner: WorkPlanner;
}

/** Active sweeps whose points are still being placed, every tenant's (the reconciler resumes them). */
export async function placingSweeps(pool: pg.Pool): Promise<{ tenantId: string; sweepId: string }[]> {
  const { rows } = await pool.query<{ tenantId: string; sweepId: string }>(
    'select tenant_id as "tenantId", sweep_id as "sweepId" from frontline_placing_sweeps()',
  );
  return rows;
}

/**
 * The right to place a sweep's points: a session advisory lock on a connection of its own, held until
 * `release` (or until the process dies and Postgres drops the connection). Undefined if another
 * placer holds it.
 */
export async function claimPlacement(
  pool: pg.Pool,
  sweepId: string,
): Promise<{ release(): Promise<void> } | undefined> {
  const client = await pool.connect();
  const key = [`frontline.placement`, sweepId];
  try {
    const { rows } = await client.query<{ claimed: boolean }>(
      'select pg_try_advisory_lock(hashtext($1), hashtext($2)) as claimed',
      key,
    );
    if (!rows[0]?.claimed) {
      client.release();
      return undefined;
    }
  } catch (error) {
    client.release(true);
    throw error;
  }
  return {
    async release() {
      try {
        await client.query('select pg_advisory_unlock(hashtext($1), hashtext($2))', key);
        client.release();
      } catch {
        client.release(true); // a broken connection: its session, and the lock, are gone anyway
      }
    },
  };
}

/** Where a sweep's placement stands, from what is committed; undefined if it is not placing (or has ended). */
export async function placementOf(db: pg.Pool, sweepId: string): Promise<Placement | undefined> {
  return inTransaction(db, async (client) => {
    const { rows } = await client.query<{
      tenantId: string;
      modelId: string;
      cohortSeed: number;
      patients: number;
      outcomes: 'full' | 'summary';
      designPoints: number;
      pointsPlaced: number;
      workLength: string;
      chunkSize: number;
      chunkWindow: number;
      adaptive: boolean;
    }>(
      `select tenant_id as "tenantId", model_id as "modelId", cohort_seed as "cohortSeed", patients, outcomes,
              points as "designPoints", points_placed as "pointsPlaced", work_length as "workLength",
              chunk_size as "chunkSize", chunk_window as "chunkWindow", cohort_round is not null as adaptive
       from sweeps where id = $1 and points_placed is not null and status in ${activeSweepStatesSql}`,
      [sweepId],
    );
    const sweep = rows[0];
    if (!sweep) return undefined;
    const { rows: placed } = await client.query<{ pointId: number }>(
      'select distinct point_id as "pointId" from sweep_points where sweep_id = $1',
      [sweepId],
    );
    return {
      target: { id: sweepId, ...sweep },
      designPoints: sweep.designPoints,
      pointsPlaced: sweep.pointsPlaced,
      chunkSize: sweep.chunkSize,
      chunkWindow: sweep.chunkWindow,
      planner: workPlanner(sweep.patients, {
        placed: placed.map((r) => r.pointId),
        toSimulate: Number(sweep.workLength),
      }),
    };
  });
}

/**
 * Place the next batch of points (those from `placement.pointsPlaced` on, in design order) in one
 * transaction, plan the whole chunks they complete and fill the sweep's enqueue window; the caller
 * enqueues `chunks` after it returns. After the last batch the sweep's totals and plan are final (and a
 * sweep with nothing left to run completes). Undefined, with nothing written, if the sweep is no longer
 * placing from that point (cancelled, failed, deleted, or placed by another). On an error the in-memory
 * plan may be ahead of the database: take a fresh placementOf before trying again.
 */
export async function placeNextPoints(
  db: pg.Pool,
  placement: Placement,
  points: readonly NewSweepPoint[],
): Promise<{ chunks: ChunkRef[]; finished: boolean } | undefined> {
  const { target, planner } = placement;
  const result = await inTransaction(db, async (client) => {
    const { rowCount } = await client.query(
      `select 1 from sweeps where id = $1 and points_placed = $2 and status in ${activeSweepStatesSql}
       for no key update`,
      [target.id, placement.pointsPlaced],
    );
    if (rowCount !== 1) return undefined;
    // As in createSweep: the outcomes this batch reuses, and the points it finds, are not being deleted.
    await lockOutcomeReuse(client);
    await placeBatch(client, target, planner, points);
    const pointsPlaced = placement.pointsPlaced + points.length;
    const finished = pointsPlaced >= placement.designPoints;
    const toSimulate = planner.toSimulate();
    const totals = placementTotals(planner, target.patients, placement.designPoints - pointsPlaced);
    const planned = plannableChunks(toSimulate, placement.chunkSize, !finished);
    await client.query(
      `update sweeps set points_placed = $2, work_length = $3, total = $4, reused = $5, chunks_planned = $6
       where id = $1`,
      [
        target.id,
        finished ? null : pointsPlaced,
        finished ? null : toSimulate,
        totals.total,
        totals.reused,
        planned,
      ],
    );
    const { rows } = await client.query<{ pending: number; created: number }>(
      `select (select count(*)::int from chunks where sweep_id = $1 and status = ${chunkStatus('pending')}) as pending,
              chunks_created as created
       from sweeps where id = $1`,
      [target.id],
    );
    const { pending, created } = rows[0]!;
    const chunks = await createNextChunks(client, target.id, placement.chunkWindow - pending);
    if (finished && pending === 0 && chunks.length === 0 && created >= planned)
      // Every chunk already ran (or none was needed): nothing will settle the sweep but this.
      await client.query(
        `update sweeps set status = ${sweepState('completed')}, started_at = coalesce(started_at, now()),
                           finished_at = now()
         where id = $1`,
        [target.id],
      );
    return { chunks, finished, pointsPlaced };
  });
  if (!result) return undefined;
  placement.pointsPlaced = result.pointsPlaced;
  return { chunks: result.chunks, finished: result.finished };
}
