import { assertUnprivilegedLogin, connectDatabase } from '@frontline/db';
import { chunkQueueName, redisConnection } from '@frontline/queue';
import { createLogger, ShutdownManager } from '@frontline/runtime';
import { Queue } from 'bullmq';
import { buildApp } from './app.js';
import { loadEnv } from './env.js';
import { startReconciler } from './reconciler.js';

const env = loadEnv();
const logger = createLogger('api', env.LOG_LEVEL);
const shutdown = new ShutdownManager(logger);
shutdown.listen();

// DATABASE_URL logs in as the app role; migrations run before, as the owner (stack, compose's migrate step).
const database = connectDatabase(env.DATABASE_URL, {
  application: 'frontline-api',
});
await assertUnprivilegedLogin(database.pool);
const redis = redisConnection(env.REDIS_URL, 'producer');
const queue = new Queue(chunkQueueName, { connection: redis, prefix: env.QUEUE_PREFIX });
queue.on('error', (error) => logger.warn({ err: error }, 'queue error'));

const app = await buildApp({
  pool: database.pool,
  queue,
  redis,
  logger,
  shareOutcomesAcrossTenants: env.SHARE_OUTCOMES_ACROSS_TENANTS,
  sessionCookie: `frontline_key_${env.API_PORT}`,
});
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
shutdown.register('database', () => database.close());
