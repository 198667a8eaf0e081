import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import { apiError } from '@frontline/contracts';
import type { Queue } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { QueueMonitor } from '../queue-status.js';

export const bullBoardPath = '/admin/queues';

const count = z.int().nonnegative();
const queueStatusSchema = z.object({
  name: z.string(),
  prefix: z.string(),
  paused: z.boolean(),
  counts: z.object({ waiting: count, active: count, delayed: count, failed: count, completed: count }),
  workers: z.array(
    z.object({
      host: z.string(),
      pid: z.int().nullable(),
      threads: z.int().nullable(),
      busy: z.int().nullable(),
      lastSeenAt: z.string().nullable(),
    }),
  ),
  throughput: z.object({
    windowSeconds: z.number(),
    completedJobs: count,
    failedJobs: count,
    simulations: count,
    simulationsPerSecond: z.number().nonnegative(),
  }),
  oldestWaitingAgeSeconds: z.number().nonnegative().nullable(),
});
/** Response of GET /v1/queue (consumed by `frontline queue`). */
export const queueOverviewSchema = z.object({ queues: z.array(queueStatusSchema) });
export type QueueOverview = z.infer<typeof queueOverviewSchema>;

/** GET /v1/queue, and Bull Board (retry, clean, inspect jobs) at /admin/queues for every queue. */
export function queueRoutes(deps: { queues: readonly Queue[]; redis: Redis; monitor: QueueMonitor }) {
  return async (app: FastifyInstance) => {
    app.get(
      '/v1/queue',
      {
        schema: {
          summary: 'Queue counts, connected workers, throughput and oldest waiting job, per queue',
          tags: ['queue'],
          response: { 200: queueOverviewSchema },
        },
      },
      async () => {
        if (deps.redis.status !== 'ready')
          throw apiError('unavailable', 'the queue (Redis) is unreachable; try again shortly');
        return { queues: await deps.monitor.status() };
      },
    );

    const board = new FastifyAdapter();
    board.setBasePath(bullBoardPath);
    createBullBoard({
      queues: deps.queues.map((queue) => new BullMQAdapter(queue, { description: 'simulation chunks' })),
      serverAdapter: board,
      options: { uiConfig: { boardTitle: 'Frontline queues' } },
    });
    await app.register(board.registerPlugin(), { prefix: bullBoardPath });
  };
}
