/** Worker heartbeats: each worker records itself every few seconds so the queue view can list live ones. */
import type pg from 'pg';
import { type WorkerHeartbeatRow, workerHeartbeats } from './schema.js';
import { selectColumns } from './sql-vocabulary.js';

export type WorkerHeartbeat = Omit<WorkerHeartbeatRow, 'seenAt'>;

/** Record (or refresh) a worker's heartbeat, stamped with the database's clock. */
export async function recordHeartbeat(pool: pg.Pool, beat: WorkerHeartbeat): Promise<void> {
  await pool.query(
    `insert into worker_heartbeats (worker_id, host, pid, threads, busy, seen_at)
     values ($1, $2, $3, $4, $5, now())
     on conflict (worker_id) do update set busy = excluded.busy, seen_at = now()`,
    [beat.workerId, beat.host, beat.pid, beat.threads, beat.busy],
  );
}

/** A worker that stops removes its heartbeat, so it leaves the queue view at once. */
export async function removeHeartbeat(pool: pg.Pool, workerId: string): Promise<void> {
  await pool.query('delete from worker_heartbeats where worker_id = $1', [workerId]);
}

/** Heartbeats newer than `freshSeconds`. */
export async function recentHeartbeats(pool: pg.Pool, freshSeconds: number): Promise<WorkerHeartbeatRow[]> {
  const { rows } = await pool.query<WorkerHeartbeatRow>(
    `select ${selectColumns(workerHeartbeats, 'h')} from worker_heartbeats h
     where h.seen_at > now() - make_interval(secs => $1)`,
    [freshSeconds],
  );
  return rows;
}
