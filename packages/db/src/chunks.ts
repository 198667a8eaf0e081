import type { SweepState } from '@frontline/contracts';
import type pg from 'pg';
import { inTransaction } from './client.js';
import type { OutcomeRecord } from './outcome-columns.js';
import type { ChunkRow } from './schema.js';
import { activeSweepStatesSql, chunkStatus, sweepState } from './sql-vocabulary.js';
import { recordPointTallies } from './tallies/record-tallies.js';
import { pointRecording, storeOutcomeRows } from './tallies/recording.js';

export interface ChunkWork
  extends Pick<ChunkRow, 'sweepId' | 'chunkIndex' | 'status' | 'pointId' | 'patientStart' | 'patientEnd'> {
  sweepStatus: SweepState;
  pointHash: string;
  /** The point's model (`points.model_id`). */
  modelId: string;
  params: unknown;
  cohortSeed: number;
}

/** What a worker needs to run a chunk, or undefined if the chunk no longer exists. */
export async function loadChunk(
  pool: pg.Pool,
  sweepId: string,
  chunkIndex: number,
): Promise<ChunkWork | undefined> {
  const { rows } = await pool.query<ChunkWork>(
    `select c.sweep_id as "sweepId", c.chunk_index as "chunkIndex", c.status, s.status as "sweepStatus",
            c.point_id as "pointId", p.hash as "pointHash", p.model_id as "modelId", p.params, s.cohort_seed as "cohortSeed",
            c.patient_start as "patientStart", c.patient_end as "patientEnd"
     from chunks c join sweeps s on s.id = c.sweep_id join points p on p.id = c.point_id
     where c.sweep_id = $1 and c.chunk_index = $2`,
    [sweepId, chunkIndex],
  );
  return rows[0];
}

/** The first chunk a worker picks up moves its sweep from queued to running. */
export async function markSweepStarted(pool: pg.Pool, sweepId: string): Promise<void> {
  await pool.query(
    `update sweeps set status = ${sweepState('running')}, started_at = now()
     where id = $1 and status = ${sweepState('queued')}`,
    [sweepId],
  );
}

/**
 * Store a chunk's outcomes and mark it done in one transaction. Idempotent: a retried or duplicated
 * chunk inserts no row twice. The sweep row is locked only for the short bookkeeping at the end, so
 * that exactly one of two concurrently finishing chunks sees "nothing pending" and completes it.
 */
export async function completeChunk(
  pool: pg.Pool,
  chunk: { sweepId: string; chunkIndex: number; pointId: number; workerHost: string },
  records: readonly OutcomeRecord[],
): Promise<{ inserted: number; sweepStatus: SweepState }> {
  return inTransaction(pool, async (client) => {
    // tallies: storage branch — the point's grid and retention, its rows (none in summary mode)
    const recording = await pointRecording(client, chunk);
    const inserted = await storeOutcomeRows(client, recording, records);
    await client.query('select 1 from sweeps where id = $1 for update', [chunk.sweepId]);
    const moved = await client.query(
      `update chunks set status = ${chunkStatus('done')}, worker_host = $3, finished_at = now(),
                         attempts = attempts + 1
       where sweep_id = $1 and chunk_index = $2 and status = ${chunkStatus('pending')}`,
      [chunk.sweepId, chunk.chunkIndex, chunk.workerHost],
    );
    // tallies: storage branch — only when this transaction moved the chunk pending → done (exactly once)
    if (moved.rowCount === 1) await recordPointTallies(client, recording, records);
    const anyPending = `exists (select 1 from chunks where sweep_id = $1 and status = ${chunkStatus('pending')})`;
    const { rows } = await client.query<{ status: SweepState }>(
      `update sweeps set
         status = case when ${anyPending} then ${sweepState('running')} else ${sweepState('completed')} end,
         started_at = coalesce(started_at, now()),
         finished_at = case when ${anyPending} then null else now() end
       where id = $1 and status in ${activeSweepStatesSql}
       returning status`,
      [chunk.sweepId],
    );
    return { inserted, sweepStatus: rows[0]?.status ?? 'cancelled' };
  });
}

/** A chunk that exhausted its attempts fails its sweep, with the reason. */
export async function failChunk(
  pool: pg.Pool,
  chunk: { sweepId: string; chunkIndex: number; workerHost: string },
  reason: string,
): Promise<void> {
  await inTransaction(pool, async (client) => {
    await client.query('select 1 from sweeps where id = $1 for update', [chunk.sweepId]);
    const { rows } = await client.query<{ patientStart: number; patientEnd: number; hash: string }>(
      `update chunks c set status = ${chunkStatus('failed')}, error = $3, worker_host = $4, finished_at = now()
       from points p
       where p.id = c.point_id and c.sweep_id = $1 and c.chunk_index = $2 and c.status = ${chunkStatus('pending')}
       returning c.patient_start as "patientStart", c.patient_end as "patientEnd", p.hash`,
      [chunk.sweepId, chunk.chunkIndex, reason, chunk.workerHost],
    );
    const failed = rows[0];
    if (!failed) return;
    await client.query(
      `update sweeps set status = ${sweepState('failed')}, finished_at = now(), failure_reason = $2
       where id = $1 and status in ${activeSweepStatesSql}`,
      [
        chunk.sweepId,
        `chunk ${chunk.chunkIndex} (point ${failed.hash.slice(0, 12)}, patients ${failed.patientStart}–${failed.patientEnd - 1}) failed: ${reason}`,
      ],
    );
  });
}
