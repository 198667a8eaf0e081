/**
 * What Redis knows about a queue, for the queue view: job counts, connected workers, recent
 * completions and the oldest waiting job. Age and throughput read BullMQ's own keys (the wait list,
 * the prioritized set, the events stream), so that knowledge of BullMQ's layout stays here.
 */
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { chunkResultSchema } from './catalog.js';

const scanPage = 2_000;

/** A worker's Redis connection; a Frontline worker names it with JSON `{host, pid, threads}`. */
export interface ConnectedWorker {
  host: string;
  pid: number | null;
  threads: number | null;
}

export interface QueueThroughput {
  windowSeconds: number;
  completedJobs: number;
  failedJobs: number;
  /** Patients simulated by the jobs that completed in the window. */
  simulations: number;
}

/** Chunk jobs in progress (BullMQ's active list), by the worker processing each. */
export interface ActiveJobs {
  total: number;
  /** `host:pid` of a Frontline worker → its jobs in progress. */
  byWorker: Map<string, number>;
}

export interface QueueSnapshot {
  name: string;
  prefix: string;
  paused: boolean;
  /** `waiting` includes prioritized jobs: every chunk job carries a priority. */
  counts: { waiting: number; active: number; delayed: number; failed: number; completed: number };
  /** One entry per worker (not per connection); undefined where Redis cannot list clients (some managed services). */
  workers: ConnectedWorker[] | undefined;
  /** The jobs behind `counts.active`, read in one pass so the per-worker counts add up to it. */
  activeJobs: ActiveJobs;
  throughput: QueueThroughput;
  /** Creation time (ms since the epoch) of the longest-waiting job; null when none waits. */
  oldestWaitingAt: number | null;
}

/** Read one queue's state from Redis; completions are counted over the trailing `windowSeconds`. */
export async function readQueueSnapshot(
  queue: Queue,
  redis: Redis,
  { now, windowSeconds }: { now: number; windowSeconds: number },
): Promise<QueueSnapshot> {
  const [counts, paused, workers, activeJobs, throughput, oldestWaitingAt] = await Promise.all([
    queue.getJobCounts('waiting', 'prioritized', 'waiting-children', 'delayed', 'failed', 'completed'),
    queue.isPaused(),
    connectedWorkers(queue),
    activeJobsByWorker(queue, redis),
    recentThroughput(queue, redis, now, windowSeconds),
    oldestWaitingTimestamp(queue, redis),
  ]);
  return {
    name: queue.name,
    prefix: queue.opts.prefix ?? 'bull',
    paused,
    counts: {
      waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0) + (counts['waiting-children'] ?? 0),
      active: activeJobs.total,
      delayed: counts.delayed ?? 0,
      failed: counts.failed ?? 0,
      completed: counts.completed ?? 0,
    },
    workers,
    activeJobs,
    throughput,
    oldestWaitingAt,
  };
}

/** Key of a worker in `ActiveJobs.byWorker`. */
export const workerKey = (host: string, pid: number | null) => `${host}:${pid}`;

/**
 * The active list and, for each job on it, the worker processing it (BullMQ stores the worker's
 * name, our JSON identity, in the job's `pb` field when it moves the job to active) — in one atomic
 * script: read separately, a job finishing in between (its hash removed on completion) would leave
 * the per-worker counts short of the total.
 */
const readActiveWorkers = `
local ids = redis.call('LRANGE', KEYS[1], 0, -1)
local names = {}
for i, id in ipairs(ids) do names[i] = redis.call('HGET', ARGV[1] .. id, 'pb') or '' end
return names`;

async function activeJobsByWorker(queue: Queue, redis: Redis): Promise<ActiveJobs> {
  const activeKey = queue.keys.active ?? queue.toKey('active');
  const names = (await redis.eval(readActiveWorkers, 1, activeKey, queue.toKey(''))) as string[];
  const byWorker = new Map<string, number>();
  for (const name of names) {
    const worker = parseWorkerName(`:w:${name}`, '');
    if (worker.pid === null) continue;
    const key = workerKey(worker.host, worker.pid);
    byWorker.set(key, (byWorker.get(key) ?? 0) + 1);
  }
  return { total: names.length, byWorker };
}

async function connectedWorkers(queue: Queue): Promise<ConnectedWorker[] | undefined> {
  const clients = await queue.getWorkers().catch(() => undefined);
  if (!clients || clients.some((c) => c.rawname === undefined)) return undefined;
  const byIdentity = new Map<string, ConnectedWorker>();
  for (const client of clients) {
    const identity = parseWorkerName(client.rawname ?? '', client.addr ?? '');
    const key = `${identity.host}:${identity.pid ?? client.addr}`;
    if (!byIdentity.has(key)) byIdentity.set(key, identity); // one worker holds several named connections
  }
  return [...byIdentity.values()];
}

/** `<prefix>:<base64 queue>:w:{"host":…,"pid":…,"threads":…}`; anything else is an unnamed worker. */
export function parseWorkerName(rawName: string, address: string): ConnectedWorker {
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
 * are millisecond timestamps). A chunk job returns a ChunkResult, so the same entries give
 * simulations per second. Finished jobs are not kept in Redis, so this stream is the record.
 */
export async function recentThroughput(
  queue: Queue,
  redis: Redis,
  now: number,
  windowSeconds: number,
): Promise<QueueThroughput> {
  const entries = await redis.xrange(
    queue.keys.events ?? queue.toKey('events'),
    now - windowSeconds * 1000,
    '+',
  );
  const throughput: QueueThroughput = { windowSeconds, completedJobs: 0, failedJobs: 0, simulations: 0 };
  for (const [, fields] of entries) {
    const event = fieldOf(fields, 'event');
    if (event === 'completed') {
      throughput.completedJobs += 1;
      throughput.simulations += simulatedIn(fieldOf(fields, 'returnvalue'));
    } else if (event === 'failed') {
      throughput.failedJobs += 1;
    }
  }
  return throughput;
}

function fieldOf(fields: string[], name: string): string | undefined {
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === name) return fields[i + 1];
  return undefined;
}

/** Simulations of a completed chunk job, from its stored return value (0 if skipped or unreadable). */
function simulatedIn(returnValue: string | undefined): number {
  if (!returnValue) return 0;
  try {
    const result = chunkResultSchema.safeParse(JSON.parse(returnValue));
    return result.success && 'simulated' in result.data ? result.data.simulated : 0;
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
  const waitKey = queue.keys.wait ?? queue.toKey('wait');
  const [head = [], tail = []] = await Promise.all([
    redis.lrange(waitKey, 0, 0),
    redis.lrange(waitKey, -1, -1),
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
