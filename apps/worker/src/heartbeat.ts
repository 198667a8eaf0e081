import { recordHeartbeat, removeHeartbeat } from '@frontline/db';
import type pg from 'pg';

/**
 * Record this worker in Postgres every few seconds so the queue view can list live workers, with
 * the threads running a chunk at that moment (not an average: "0/2 busy" while chunks ran was one).
 */
export function startHeartbeat(
  pool: pg.Pool,
  workerId: string,
  threads: number,
  busyThreads: () => number,
  intervalMs = 5_000,
) {
  const [host = workerId, pid = '0'] = workerId.split(':');
  const beat = () =>
    recordHeartbeat(pool, {
      workerId,
      host,
      pid: Number(pid),
      threads,
      busy: Math.min(busyThreads(), threads),
    }).catch(() => {});
  void beat();
  const timer = setInterval(beat, intervalMs);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await removeHeartbeat(pool, workerId).catch(() => {});
    },
  };
}
