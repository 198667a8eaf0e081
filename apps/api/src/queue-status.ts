import type { QueueStatus } from '@frontline/contracts';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type pg from 'pg';

/** Completions are counted over this trailing window. */
export const throughputWindowSeconds = 60;
/** A worker whose heartbeat is older than this is not listed (it beats every 5 s). */
const heartbeatFreshSeconds = 30;
const scanPage = 2_000;

/** What GET /v1/queue reports per queue (schema in @frontline/contracts). */
export type { QueueStatus };

type QueueWorker = QueueStatus['workers'][number];

interface HeartbeatRow {
  worker_id: string;
  host: string;
  pid: number;
  threads: number;
  busy: number;
  seen_at: Date;
}

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
    const heartbeats = await recentHeartbeats(deps.pool);
    return Promise.all(deps.queues.map((queue) => queueStatus(queue, deps.redis, heartbeats)));
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

async function queueStatus(queue: Queue, redis: Redis, heartbeats: HeartbeatRow[]): Promise<QueueStatus> {
  const now = Date.now();
  const [counts, paused, workers, throughput, oldest] = await Promise.all([
    queue.getJobCounts(
      'waiting',
      'prioritized',
      'waiting-children',
      'active',
      'delayed',
      'failed',
      'completed',
    ),
    queue.isPaused(),
    connectedWorkers(queue, heartbeats),
    recentThroughput(queue, redis, now),
    oldestWaitingTimestamp(queue, redis),
  ]);
  return {
    name: queue.name,
    prefix: queue.opts.prefix ?? 'bull',
    paused,
    counts: {
      waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0) + (counts['waiting-children'] ?? 0),
      active: counts.active ?? 0,
      delayed: counts.delayed ?? 0,
      failed: counts.failed ?? 0,
      completed: counts.completed ?? 0,
    },
    workers,
    throughput,
    oldestWaitingAgeSeconds: oldest === null ? null : Math.max(0, (now - oldest) / 1000),
  };
}

async function recentHeartbeats(pool: pg.Pool): Promise<HeartbeatRow[]> {
  const { rows } = await pool.query<HeartbeatRow>(
    `select worker_id, host, pid, threads, busy, seen_at from worker_heartbeats
     where seen_at > now() - make_interval(secs => $1)`,
    [heartbeatFreshSeconds],
  );
  return rows;
}

/**
 * Workers connected to this queue, as Redis sees them: a Frontline worker names its connection with
 * JSON `{host, pid, threads}`. Busy threads come from the worker's heartbeat, matched on host:pid.
 * Where Redis cannot list clients (some managed services), fresh heartbeats stand in.
 */
async function connectedWorkers(queue: Queue, heartbeats: HeartbeatRow[]): Promise<QueueWorker[]> {
  const beatOf = new Map(heartbeats.map((h) => [`${h.host}:${h.pid}`, h]));
  const clients = await queue.getWorkers().catch(() => undefined);
  if (!clients || clients.some((c) => c.rawname === undefined)) {
    return heartbeats.map((h) => ({
      host: h.host,
      pid: h.pid,
      threads: h.threads,
      busy: h.busy,
      lastSeenAt: h.seen_at.toISOString(),
    }));
  }
  const byIdentity = new Map<string, QueueWorker>();
  for (const client of clients) {
    const identity = parseWorkerName(client.rawname ?? '', client.addr ?? '');
    const key = `${identity.host}:${identity.pid ?? client.addr}`;
    if (byIdentity.has(key)) continue; // one worker holds several named connections
    const beat = beatOf.get(`${identity.host}:${identity.pid}`);
    byIdentity.set(key, {
      ...identity,
      threads: identity.threads ?? beat?.threads ?? null,
      busy: beat?.busy ?? null,
      lastSeenAt: beat?.seen_at.toISOString() ?? null,
    });
  }
  return [...byIdentity.values()].sort((a, b) => a.host.localeCompare(b.host) || (a.pid ?? 0) - (b.pid ?? 0));
}

/** `<prefix>:<base64 queue>:w:{"host":…,"pid":…,"threads":…}`; anything else is an unnamed worker. */
export function parseWorkerName(
  rawName: string,
  address: string,
): { host: string; pid: number | null; threads: number | null } {
  const marker = rawName.indexOf(':w:');
  if (marker >= 0) {
    try {
      const name = JSON.parse(rawName.slice(marker + 3)) as {
        host?: unknown;
        pid?: unknown;
        threads?: unknown;
      };
      if (typeof name.host === 'string')
        return {
          host: name.host,
          pid: typeof name.pid === 'number' ? name.pid : null,
          threads: typeof name.threads === 'number' ? name.threads : null,
        };
    } catch {
      // not one of ours: fall through to the address
    }
  }
  return { host: address.replace(/:\d+$/, ''), pid: null, threads: null };
}

/**
 * Completions and failures in the trailing window, read from the queue's events stream (stream ids
 * are millisecond timestamps). A chunk job returns `{ simulated, inserted }`, so the same entries
 * give simulations per second. Finished jobs are not kept in Redis, so this stream is the record.
 */
async function recentThroughput(queue: Queue, redis: Redis, now: number): Promise<QueueStatus['throughput']> {
  const entries = await redis.xrange(
    queue.keys.events ?? queue.toKey('events'),
    now - throughputWindowSeconds * 1000,
    '+',
  );
  let completedJobs = 0;
  let failedJobs = 0;
  let simulations = 0;
  for (const [, fields] of entries) {
    const event = fieldOf(fields, 'event');
    if (event === 'completed') {
      completedJobs += 1;
      simulations += simulatedIn(fieldOf(fields, 'returnvalue'));
    } else if (event === 'failed') {
      failedJobs += 1;
    }
  }
  return {
    windowSeconds: throughputWindowSeconds,
    completedJobs,
    failedJobs,
    simulations,
    simulationsPerSecond: simulations / throughputWindowSeconds,
  };
}

function fieldOf(fields: string[], name: string): string | undefined {
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === name) return fields[i + 1];
  return undefined;
}

function simulatedIn(returnValue: string | undefined): number {
  if (!returnValue) return 0;
  try {
    const value = JSON.parse(returnValue) as { simulated?: unknown };
    return typeof value.simulated === 'number' ? value.simulated : 0;
  } catch {
    return 0;
  }
}

/**
 * Creation time of the oldest job waiting to run. The wait list is FIFO (its ends suffice), but the
 * prioritized set is ordered by priority, not age — a big sweep's last chunks wait longest — so its
 * members are scanned page by page with their timestamps read in one pipeline per page.
 */
async function oldestWaitingTimestamp(queue: Queue, redis: Redis): Promise<number | null> {
  const [head = [], tail = []] = await Promise.all([
    redis.lrange(queue.keys.wait ?? queue.toKey('wait'), 0, 0),
    redis.lrange(queue.keys.wait ?? queue.toKey('wait'), -1, -1),
  ]);
  let oldest = await oldestOf(queue, redis, [...head, ...tail]);
  const prioritizedKey = queue.keys.prioritized ?? queue.toKey('prioritized');
  for (let start = 0; ; start += scanPage) {
    const ids = await redis.zrange(prioritizedKey, start, start + scanPage - 1);
    const pageOldest = await oldestOf(queue, redis, ids);
    if (pageOldest !== null && (oldest === null || pageOldest < oldest)) oldest = pageOldest;
    if (ids.length < scanPage) break;
  }
  return oldest;
}

async function oldestOf(queue: Queue, redis: Redis, ids: string[]): Promise<number | null> {
  if (ids.length === 0) return null;
  const pipeline = redis.pipeline();
  for (const id of ids) pipeline.hget(queue.toKey(id), 'timestamp');
  const results = (await pipeline.exec()) ?? [];
  let oldest: number | null = null;
  for (const [error, value] of results) {
    const timestamp = error ? Number.NaN : Number(value);
    if (Number.isFinite(timestamp) && timestamp > 0 && (oldest === null || timestamp < oldest))
      oldest = timestamp;
  }
  return oldest;
}
