import { randomBytes } from 'node:crypto';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { SweepLimits } from '@frontline/contracts';
import { apiError, defaultSweepLimits } from '@frontline/contracts';
import type { Queue } from 'bullmq';
import Fastify, { type FastifyBaseLogger, type FastifyReply } from 'fastify';
import {
  createSerializerCompiler,
  jsonSchemaTransform,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import { registerAuth } from './auth.js';
import { type CapacityOptions, createHeavyGates, defaultCapacity } from './capacity.js';
import { registerErrorHandling } from './errors.js';
import { createMonitoring } from './monitoring.js';
import { dashboardRoutes } from './routes/dashboard.js';
import { sweepEventRoutes } from './routes/events.js';
import { hazardRoutes } from './routes/hazard-ratios.js';
import { healthRoutes } from './routes/health.js';
import { keyRoutes } from './routes/keys.js';
import { metricsRoutes } from './routes/metrics.js';
import { modelRoutes } from './routes/model.js';
import { outcomeExportRoutes } from './routes/outcomes-export.js';
import { pointsRoutes } from './routes/points.js';
import { queueRoutes } from './routes/queue.js';
import { sensitivityRoutes } from './routes/sensitivity.js';
import { sessionRoutes } from './routes/session.js';
import { survivalRoutes } from './routes/survival.js';
import { sweepRoutes } from './routes/sweeps.js';
import { createStatsPool } from './stats-pool.js';
import { createSweepService } from './sweep-service.js';
import { acceptYamlBodies } from './yaml-body.js';

export interface AppDeps {
  /** Key lookups and light reads. */
  pool: pg.Pool;
  /** Survival and points (default: `pool`); see capacity.ts. */
  heavyPool?: pg.Pool;
  /** Exports, which stream (default: `heavyPool`). */
  exportPool?: pg.Pool;
  /**
   * DB_QUERY_TIMEOUT_MS, for exports: the light and heavy pools bound each statement themselves; an
   * export, which streams for as long as its reader reads, bounds each wait for Postgres (unbounded if not given).
   */
  exportSilenceMs?: number;
  /** Concurrency, time and size bounds of heavy reads (defaults: defaultCapacity). */
  capacity?: Partial<CapacityOptions>;
  queue: Queue;
  redis: Redis;
  logger?: FastifyBaseLogger | boolean;
  limits?: SweepLimits;
  /** Queued or running sweeps per tenant (default 20). */
  maxActiveSweeps?: number;
  /** Requests per minute per API key (default 1200). */
  rateLimitPerMinute?: number;
  /** Built dashboard (default apps/web/dist). */
  dashboardDir?: string;
  /** Poll interval of SSE progress streams (default 500 ms). */
  progressIntervalMs?: number;
  /** Reuse stored outcomes across tenants (operator setting SHARE_OUTCOMES_ACROSS_TENANTS; default off). */
  shareOutcomesAcrossTenants?: boolean;
  /** Name of the dashboard's key cookie, unique per stack (default: `frontline_key_` and a random id). */
  sessionCookie?: string;
}

export async function buildApp(deps: AppDeps) {
  const limits = deps.limits ?? defaultSweepLimits;
  const capacity: CapacityOptions = { ...defaultCapacity, ...deps.capacity };
  const heavyPool = deps.heavyPool ?? deps.pool;
  const exportPool = deps.exportPool ?? heavyPool;
  const gates = createHeavyGates(capacity);
  const stats = createStatsPool({
    threads: capacity.statsThreads,
    timeoutMs: capacity.statsTimeoutMs,
    memoryMb: capacity.statsMemoryMb,
  });
  const app = Fastify({
    loggerInstance: typeof deps.logger === 'object' ? deps.logger : undefined,
    logger: typeof deps.logger === 'boolean' ? deps.logger : undefined,
    bodyLimit: limits.maxBodyBytes,
    genReqId: () => crypto.randomUUID(),
    // Errors raised before routing (malformed URL, over-long path parameter) get the envelope too.
    frameworkErrors: (error, request, reply) =>
      (reply as FastifyReply)
        .status(400)
        .send(apiError('bad_request', `bad request: ${error.message}`).toEnvelope(request.id)),
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  const serializeByContract = createSerializerCompiler();
  app.setSerializerCompiler((route: Parameters<typeof serializeByContract>[0]) => {
    const serialize = serializeByContract(route);
    return (data) => {
      try {
        return serialize(data);
      } catch (error) {
        // Stored data the contract does not foresee (a row written by other code) must not turn a
        // readable answer into a 500: send it, and say loudly that the contract and the data differ.
        app.log.error({ err: error, route: `${route.method} ${route.url}` }, 'response breaks its contract');
        return JSON.stringify(data);
      }
    };
  });
  registerErrorHandling(app);
  acceptYamlBodies(app);
  const sessionCookie = deps.sessionCookie ?? `frontline_key_${randomBytes(4).toString('hex')}`;
  const routes = registerAuth(app, deps.pool, { cookieName: sessionCookie });
  // Per API key (after auth, hence preHandler), in this process's memory: with several API
  // instances each enforces the limit on its own share of traffic.
  await app.register(rateLimit, {
    hook: 'preHandler',
    max: deps.rateLimitPerMinute ?? 1_200,
    timeWindow: 60_000,
    keyGenerator: (request) => request.auth?.id ?? request.ip,
    allowList: (request) => request.auth === undefined, // public routes and 404s
    errorResponseBuilder: (_request, context) =>
      apiError(
        'rate_limited',
        `rate limit of ${context.max} requests per minute for this API key; retry in ${context.after}`,
      ),
  });

  await app.register(swagger, {
    openapi: { info: { title: 'Frontline API', version: '1.0.0' } },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { config: { access: 'public' }, schema: { hide: true } }, async () =>
    app.swagger(),
  );

  const sweeps = createSweepService({
    pool: deps.pool,
    queue: deps.queue,
    redis: deps.redis,
    limits,
    maxActiveSweeps: deps.maxActiveSweeps,
    shareOutcomesAcrossTenants: deps.shareOutcomesAcrossTenants,
  });
  app.addHook('onClose', () => stats.close());
  // The queue closes after the app: let the enqueues a reply left running finish first.
  app.addHook('onClose', () => sweeps.settled());
  await app.register(healthRoutes({ ...deps, heavyPool, gates }));
  await app.register(sweepRoutes({ pool: deps.pool, sweeps, limits }));
  await app.register(keyRoutes({ pool: deps.pool }));
  await app.register(modelRoutes);
  await app.register(sessionRoutes({ pool: deps.pool, cookieName: sessionCookie }));
  await app.register(survivalRoutes({ heavyPool, gate: gates.reads, stats, capacity }));
  await app.register(pointsRoutes({ heavyPool, gate: gates.reads, stats, capacity }));
  await app.register(sensitivityRoutes({ heavyPool, gate: gates.reads, stats, capacity }));
  await app.register(hazardRoutes({ heavyPool, gate: gates.reads, stats, capacity }));
  await app.register(
    outcomeExportRoutes({ exportPool, gate: gates.exports, capacity, silenceMs: deps.exportSilenceMs }),
  );
  const monitoring = createMonitoring(deps);
  await app.register(queueRoutes(monitoring));
  await app.register(sweepEventRoutes(monitoring));
  await app.register(metricsRoutes(monitoring.metrics));
  await app.register(dashboardRoutes(deps));
  return Object.assign(app, { sweeps, metrics: monitoring.metrics, sessionCookie, routes });
}
export type App = Awaited<ReturnType<typeof buildApp>>;
