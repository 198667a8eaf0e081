import type pg from 'pg';

/** Record this worker in Postgres every few seconds so the queue view can list live workers. */
export function startHeartbeat(pool: pg.Pool, workerId: string, threads: number, utilization: () => number) {
  const [host = workerId, pid = '0'] = workerId.split(':');
  const beat = () =>
    pool
      .query(
        `insert into worker_heartbeats (worker_id, host, pid, threads, busy, seen_at)
         values ($1, $2, $3, $4, $5, now())
         on conflict (worker_id) do update set busy = excluded.busy, seen_at = now()`,
        [workerId, host, Number(pid), threads, Math.round(utilization() * threads)],
      )
      .catch(() => {});
  void beat();
  const timer = setInterval(beat, 5_000);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await pool.query('delete from worker_heartbeats where worker_id = $1', [workerId]).catch(() => {});
    },
  };
}
