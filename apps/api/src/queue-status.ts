import type { QueueStatus } from '@frontline/contracts';
import { recentHeartbeats, type WorkerHeartbeatRow } from '@frontline/db';
import {
  type ActiveJobs,
  type ConnectedWorker,
  type QueueSnapshot,
  readQueueSnapshot,
  workerKey,
} from '@frontline/queue';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type pg from 'pg';

/** Completions are counted over this trailing window. */
export const throughputWindowSeconds = 60;
/** A worker whose heartbeat is older than this is not listed (it beats every 5 s). */
const heartbeatFreshSeconds = 30;

/** What GET /v1/queue reports per queue (schema in @frontline/contracts). */
export type { QueueStatus };

type QueueWorker = QueueStatus['workers'][number];

export interface QueueMonitorDeps {
  queues: readonly Queue[];
  /** The connection the queues use (BullMQ keys are read directly for age and throughput). */
  redis: Redis;
  pool: pg.Pool;
}

/**
 * Live status of every Frontline queue, from Redis (counts, connected workers, the events stream)
 * and the workers' Postgres heartbeats (busy threads). Concurrent callers share one computation, so
 * dashboards and scrapes cannot pile up scans, and a caller never sees a result older than its call.
 */
export function createQueueMonitor(deps: QueueMonitorDeps) {
  let inFlight: Promise<QueueStatus[]> | undefined;

  async function compute(): Promise<QueueStatus[]> {
    const heartbeats = await recentHeartbeats(deps.pool, heartbeatFreshSeconds);
    const now = Date.now();
    return Promise.all(
      deps.queues.map(async (queue) =>
        queueStatus(
          await readQueueSnapshot(queue, deps.redis, { now, windowSeconds: throughputWindowSeconds }),
          heartbeats,
          now,
        ),
      ),
    );
  }

  return {
    status(): Promise<QueueStatus[]> {
      inFlight ??= compute().finally(() => {
        inFlight = undefined;
      });
      return inFlight;
    },
  };
}
export type QueueMonitor = ReturnType<typeof createQueueMonitor>;

function queueStatus(snapshot: QueueSnapshot, heartbeats: WorkerHeartbeatRow[], now: number): QueueStatus {
  const { oldestWaitingAt, throughput, workers, activeJobs, ...rest } = snapshot;
  return {
    ...rest,
    workers:
      workers === undefined
        ? heartbeatWorkers(heartbeats, activeJobs)
        : withHeartbeats(workers, heartbeats, activeJobs),
    throughput: { ...throughput, simulationsPerSecond: throughput.simulations / throughput.windowSeconds },
    oldestWaitingAgeSeconds: oldestWaitingAt === null ? null : Math.max(0, (now - oldestWaitingAt) / 1000),
  };
}

/** Where Redis cannot list clients (some managed services), fresh heartbeats stand in. */
function heartbeatWorkers(heartbeats: WorkerHeartbeatRow[], activeJobs: ActiveJobs): QueueWorker[] {
  return heartbeats.map((h) => ({
    host: h.host,
    pid: h.pid,
    threads: h.threads,
    busy: h.busy,
    runningChunks: activeJobs.byWorker.get(workerKey(h.host, h.pid)) ?? 0,
    lastSeenAt: h.seenAt.toISOString(),
  }));
}

/**
 * Workers connected to the queue as Redis sees them: busy threads from the heartbeat of the same
 * host:pid (the pool's count at that beat, ≤ threads), running chunks from BullMQ's active jobs now.
 */
function withHeartbeats(
  workers: ConnectedWorker[],
  heartbeats: WorkerHeartbeatRow[],
  activeJobs: ActiveJobs,
): QueueWorker[] {
  const beatOf = new Map(heartbeats.map((h) => [workerKey(h.host, h.pid), h]));
  return workers
    .map((worker) => {
      const beat = beatOf.get(workerKey(worker.host, worker.pid));
      return {
        ...worker,
        threads: worker.threads ?? beat?.threads ?? null,
        busy: beat?.busy ?? null,
        runningChunks: activeJobs.byWorker.get(workerKey(worker.host, worker.pid)) ?? 0,
        lastSeenAt: beat?.seenAt.toISOString() ?? null,
      };
    })
    .sort((a, b) => a.host.localeCompare(b.host) || (a.pid ?? 0) - (b.pid ?? 0));
}
