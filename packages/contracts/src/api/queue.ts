import { z } from 'zod';
import { count, defineRoute, keyedErrors } from './common.js';

export const queueStatusSchema = z.object({
  name: z.string(),
  prefix: z.string(),
  paused: z.boolean(),
  /** `waiting` includes prioritized jobs: every chunk job carries a priority. */
  counts: z.object({ waiting: count, active: count, delayed: count, failed: count, completed: count }),
  workers: z.array(
    z.object({
      host: z.string(),
      pid: z.int().nullable(),
      threads: z.int().nullable(),
      /** Threads running a chunk at the worker's last heartbeat (≤ threads). */
      busy: z.int().nullable(),
      /** Chunk jobs this worker holds now (BullMQ's active list; up to its concurrency, 2 × threads). */
      runningChunks: count,
      lastSeenAt: z.string().nullable(),
    }),
  ),
  throughput: z.object({
    windowSeconds: z.number(),
    completedJobs: count,
    failedJobs: count,
    /** Patients simulated by the jobs that completed in the window. */
    simulations: count,
    simulationsPerSecond: z.number().nonnegative(),
  }),
  /** Age of the longest-waiting job (null when none waits). */
  oldestWaitingAgeSeconds: z.number().nonnegative().nullable(),
});
export type QueueStatus = z.infer<typeof queueStatusSchema>;

/** Response of GET /v1/queue (consumed by `frontline queue` and the dashboard). */
export const queueOverviewSchema = z.object({ queues: z.array(queueStatusSchema) });
export type QueueOverview = z.infer<typeof queueOverviewSchema>;

export const queueRoutes = {
  overview: defineRoute({
    method: 'GET',
    url: '/v1/queue',
    // Every tenant's jobs and the workers serving all of them: the operator's view.
    access: 'operator',
    schema: {
      summary: 'Queue counts, connected workers, throughput and oldest waiting job, per queue',
      tags: ['queue'],
      response: { 200: queueOverviewSchema, ...keyedErrors },
    },
  }),
};
