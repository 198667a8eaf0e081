import { healthRoutes as contracts } from '@frontline/contracts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Redis } from 'ioredis';
import pg from 'pg';
import { fromContract } from './contract.js';

/** Resolve within `ms` or report the dependency down: readiness must answer quickly, never hang. */
async function within<T>(ms: number, work: Promise<T>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([
      work.then(
        () => true,
        () => false,
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** A pool with every connection checked out and requests queued for one. */
const exhausted = (pool: pg.Pool) =>
  pool.waitingCount > 0 || (pool.totalCount >= (pool.options.max ?? 10) && pool.idleCount === 0);

/**
 * `/readyz`: `ready` (200), `saturated` (200: Postgres answers but the pools or the heavy gate are full;
 * the API is alive and sheds load itself with 429/503 + Retry-After, so neither restart it nor take it
 * out of rotation), or `unavailable` (503: Postgres or Redis down).
 */
export function healthRoutes(deps: {
  pool: pg.Pool;
  heavyPool: pg.Pool;
  redis: Redis;
  gates: { reads: { waiting: number }; exports: { waiting: number } };
}) {
  const plugin: FastifyPluginAsyncZod = async (app) => {
    app.route({ ...fromContract(contracts.liveness), handler: async () => ({ status: 'ok' as const }) });
    // Postgres is probed on a connection of its own: a full pool says "saturated", never "down".
    const probe = new pg.Pool({ ...deps.pool.options, max: 1, connectionTimeoutMillis: 1_000 });
    probe.on('error', () => {});
    app.addHook('onClose', () => probe.end());
    app.route({
      ...fromContract(contracts.readiness),
      handler: async (_req, reply) => {
        const [postgres, redis] = await Promise.all([
          within(1_000, probe.query('select 1')),
          deps.redis.status === 'ready' ? within(1_000, deps.redis.ping()) : Promise.resolve(false),
        ]);
        const saturated =
          exhausted(deps.pool) ||
          exhausted(deps.heavyPool) ||
          deps.gates.reads.waiting + deps.gates.exports.waiting > 0;
        const postgresState = !postgres ? 'down' : saturated ? 'saturated' : 'ok';
        const down = postgresState === 'down' || !redis;
        const status = down ? 'unavailable' : postgresState === 'saturated' ? 'saturated' : 'ready';
        return reply.status(down ? 503 : 200).send({
          status,
          checks: { postgres: postgresState, redis: redis ? 'ok' : 'down' },
        });
      },
    });
  };
  return plugin;
}
