import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import { createApiMetrics } from './metrics.js';
import { createProgressFeed } from './progress-feed.js';
import { createQueueMonitor } from './queue-status.js';

export interface MonitoringDeps {
  pool: pg.Pool;
  queue: Queue;
  redis: Redis;
  /** How often a watched sweep's progress is polled for SSE clients (default 500 ms). */
  progressIntervalMs?: number;
}

/** What the queue view, the SSE progress streams and /metrics share. */
export function createMonitoring(deps: MonitoringDeps) {
  // Every Frontline queue: today the one chunk queue.
  const queues = [deps.queue];
  const monitor = createQueueMonitor({ queues, redis: deps.redis, pool: deps.pool });
  return {
    pool: deps.pool,
    redis: deps.redis,
    queues,
    monitor,
    metrics: createApiMetrics(monitor),
    feed: createProgressFeed(deps.pool, { intervalMs: deps.progressIntervalMs }),
  };
}
