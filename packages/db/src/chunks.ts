import type pg from 'pg';
import { inTransaction } from './client.js';
import { insertOutcomes, type OutcomeRecord } from './outcomes.js';
import type { ChunkStatus, SweepStatus } from './schema.js';

export interface ChunkWork {
  sweepId: string;
  chunkIndex: number;
  status: ChunkStatus;
  sweepStatus: SweepStatus;
  pointId: number;
  pointHash: string;
  params: unknown;
  cohortSeed: number;
  patientStart: number;
  patientEnd: number;
}

/** What a worker needs to run a chunk, or undefined if the chunk no longer exists. */
export async function loadChunk(
  pool: pg.Pool,
  sweepId: string,
  chunkIndex: number,
): Promise<ChunkWork | undefined> {
  const { rows } = await pool.query<{
    status: ChunkStatus;
    sweep_status: SweepStatus;
    point_id: number;
    hash: string;
    params: unknown;
    cohort_seed: number;
    patient_start: number;
    patient_end: number;
  }>(
    `select c.status, s.status as sweep_status, c.point_id, p.hash, p.params, s.cohort_seed,
            c.patient_start, c.patient_end
     from chunks c join sweeps s on s.id = c.sweep_id join points p on p.id = c.point_id
     where c.sweep_id = $1 and c.chunk_index = $2`,
    [sweepId, chunkIndex],
  );
  const row = rows[0];
  if (!row) return undefined;
  return {
    sweepId,
    chunkIndex,
    status: row.status,
    sweepStatus: row.sweep_status,
    pointId: row.point_id,
    pointHash: row.hash,
    params: row.params,
    cohortSeed: row.cohort_seed,
    patientStart: row.patient_start,
    patientEnd: row.patient_end,
  };
}

/** The first chunk a worker picks up moves its sweep from queued to running. */
export async function markSweepStarted(pool: pg.Pool, sweepId: string): Promise<void> {
  await pool.query(
    `update sweeps set status = 'running', started_at = now() where id = $1 and status = 'queued'`,
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
): Promise<{ inserted: number; sweepStatus: SweepStatus }> {
  return inTransaction(pool, async (client) => {
    const inserted = await insertOutcomes(client, chunk.pointId, records);
    await client.query('select 1 from sweeps where id = $1 for update', [chunk.sweepId]);
    await client.query(
      `update chunks set status = 'done', worker_host = $3, finished_at = now(), attempts = attempts + 1
       where sweep_id = $1 and chunk_index = $2 and status = 'pending'`,
      [chunk.sweepId, chunk.chunkIndex, chunk.workerHost],
    );
    const { rows } = await client.query<{ status: SweepStatus }>(
      `update sweeps set
         status = case when exists (select 1 from chunks where sweep_id = $1 and status = 'pending')
                       then 'running' else 'completed' end,
         started_at = coalesce(started_at, now()),
         finished_at = case when exists (select 1 from chunks where sweep_id = $1 and status = 'pending')
                            then null else now() end
       where id = $1 and status in ('queued', 'running')
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
    const { rows } = await client.query<{ patient_start: number; patient_end: number; hash: string }>(
      `update chunks c set status = 'failed', error = $3, worker_host = $4, finished_at = now()
       from points p where p.id = c.point_id and c.sweep_id = $1 and c.chunk_index = $2 and c.status = 'pending'
       returning c.patient_start, c.patient_end, p.hash`,
      [chunk.sweepId, chunk.chunkIndex, reason, chunk.workerHost],
    );
    const failed = rows[0];
    if (!failed) return;
    await client.query(
      `update sweeps set status = 'failed', finished_at = now(), failure_reason = $2
       where id = $1 and status in ('queued', 'running')`,
      [
        chunk.sweepId,
        `chunk ${chunk.chunkIndex} (point ${failed.hash.slice(0, 12)}, patients ${failed.patient_start}–${failed.patient_end - 1}) failed: ${reason}`,
      ],
    );
  });
}
