import { assertUnprivilegedLogin } from '@frontline/db';
import { chunkQueueName, redisConnection } from '@frontline/queue';
import { createLogger, ShutdownManager } from '@frontline/runtime';
import { Queue } from 'bullmq';
import { buildApp } from './app.js';
import { connectApiDatabases } from './databases.js';
import { loadEnv } from './env.js';
import { startReconciler } from './reconciler.js';
import { warmUpSubmission } from './sweep-service.js';

const env = loadEnv();
const logger = createLogger('api', env.LOG_LEVEL);
const shutdown = new ShutdownManager(logger);
shutdown.listen();

// DATABASE_URL logs in as the app role; migrations run before, as the owner (stack, compose's migrate step).
const databases = connectApiDatabases(env.DATABASE_URL, {
  lightPoolMax: env.LIGHT_POOL_MAX,
  heavyPoolMax: env.HEAVY_POOL_MAX,
  heavyStatementTimeoutMs: env.HEAVY_STATEMENT_TIMEOUT_MS,
  exportConcurrency: env.EXPORT_CONCURRENCY,
  queryTimeoutMs: env.DB_QUERY_TIMEOUT_MS,
});
await assertUnprivilegedLogin(databases.light.pool);
const redis = redisConnection(env.REDIS_URL, 'producer');
const queue = new Queue(chunkQueueName, { connection: redis, prefix: env.QUEUE_PREFIX });
queue.on('error', (error) => logger.warn({ err: error }, 'queue error'));

const app = await buildApp({
  pool: databases.light.pool,
  heavyPool: databases.heavy.pool,
  exportPool: databases.exports.pool,
  exportSilenceMs: env.DB_QUERY_TIMEOUT_MS,
  capacity: {
    heavyConcurrency: env.HEAVY_CONCURRENCY,
    heavyPerKey: env.HEAVY_PER_KEY,
    heavyQueueMs: env.HEAVY_QUEUE_MS,
    exportConcurrency: env.EXPORT_CONCURRENCY,
    exportPerKey: env.EXPORT_PER_KEY,
    exportStallMs: env.EXPORT_STALL_MS,
    exportStatementTimeoutMs: env.EXPORT_STATEMENT_TIMEOUT_MS,
    statsThreads: env.STATS_THREADS,
    statsTimeoutMs: env.STATS_TIMEOUT_MS,
    statsMemoryMb: env.STATS_MEMORY_MB,
  },
  queue,
  redis,
  logger,
  shareOutcomesAcrossTenants: env.SHARE_OUTCOMES_ACROSS_TENANTS,
  sessionCookie: `frontline_key_${env.API_PORT}`,
  dashboardDir: env.DASHBOARD_DIR,
});
// The first submission after a start then answers as fast as later ones (the JIT has seen the per-point code).
await warmUpSubmission();
await app.listen({ host: env.API_HOST, port: env.API_PORT });

// Heal the queue from Postgres: at start (a Redis that lost its data) and periodically.
const reconciler = startReconciler({
  reconcile: () => app.sweeps.reconcile(),
  requeued: app.metrics.reconcilerRequeued,
  logger,
  intervalMs: env.RECONCILE_INTERVAL_MS,
});

shutdown.register('reconciler', () => reconciler.stop());
shutdown.register('http', () => app.close());
shutdown.register('queue', () => queue.close());
shutdown.register('redis', () => void redis.disconnect());
shutdown.register('database', () => databases.close());
