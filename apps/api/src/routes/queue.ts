import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import { apiError, queueRoutes as contracts } from '@frontline/contracts';
import type { Queue } from 'bullmq';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Redis } from 'ioredis';
import type { QueueMonitor } from '../queue-status.js';
import { fromContract } from './contract.js';

export const bullBoardPath = '/admin/queues';

/** GET /v1/queue, and Bull Board (retry, clean, inspect jobs) at /admin/queues for every queue. */
export function queueRoutes(deps: { queues: readonly Queue[]; redis: Redis; monitor: QueueMonitor }) {
  const plugin: FastifyPluginAsyncZod = async (app) => {
    app.route({
      ...fromContract(contracts.overview),
      handler: async () => {
        if (deps.redis.status !== 'ready')
          throw apiError('unavailable', 'the queue (Redis) is unreachable; try again shortly');
        return { queues: await deps.monitor.status() };
      },
    });

    const board = new FastifyAdapter();
    board.setBasePath(bullBoardPath);
    createBullBoard({
      queues: deps.queues.map((queue) => new BullMQAdapter(queue, { description: 'simulation chunks' })),
      serverAdapter: board,
      options: { uiConfig: { boardTitle: 'Frontline queues' } },
    });
    await app.register(board.registerPlugin(), { prefix: bullBoardPath });
  };
  return plugin;
}
