import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import type pg from 'pg';

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

export function healthRoutes(deps: { pool: pg.Pool; redis: Redis }) {
  return async (app: FastifyInstance) => {
    app.get(
      '/healthz',
      { config: { access: 'public' }, schema: { summary: 'Liveness', tags: ['health'] } },
      async () => ({
        status: 'ok',
      }),
    );
    app.get(
      '/readyz',
      { config: { access: 'public' }, schema: { summary: 'Postgres and Redis reachable', tags: ['health'] } },
      async (_req, reply) => {
        const [postgres, redis] = await Promise.all([
          within(1_000, deps.pool.query('select 1')),
          deps.redis.status === 'ready' ? within(1_000, deps.redis.ping()) : Promise.resolve(false),
        ]);
        const ok = postgres && redis;
        return reply.status(ok ? 200 : 503).send({
          status: ok ? 'ready' : 'unavailable',
          checks: { postgres: postgres ? 'ok' : 'down', redis: redis ? 'ok' : 'down' },
        });
      },
    );
  };
}
