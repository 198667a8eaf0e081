import { connectDatabase, migrate } from '@frontline/db';
import { chunkQueueName, redisConnection } from '@frontline/queue';
import { createLogger, ShutdownManager } from '@frontline/runtime';
import { Queue } from 'bullmq';
import { buildApp } from './app.js';
import { loadEnv } from './env.js';

const env = loadEnv();
const logger = createLogger('api', env.LOG_LEVEL);
const shutdown = new ShutdownManager(logger);
shutdown.listen();

await migrate(env.DATABASE_URL);
const database = connectDatabase(env.DATABASE_URL, { application: 'frontline-api' });
const redis = redisConnection(env.REDIS_URL, 'producer');
const queue = new Queue(chunkQueueName, { connection: redis, prefix: env.QUEUE_PREFIX });
queue.on('error', (error) => logger.warn({ err: error }, 'queue error'));

const app = await buildApp({ pool: database.pool, queue, redis, logger });
await app.listen({ host: env.API_HOST, port: env.API_PORT });

// Heal the queue from Postgres: at start (a Redis that lost its data) and periodically.
const reconcile = () =>
  app.sweeps
    .reconcile()
    .then((requeued) => {
      app.metrics.reconcilerRequeued.inc(requeued);
      if (requeued > 0) logger.warn({ requeued }, 'reconciler re-enqueued missing chunks');
    })
    .catch((error: unknown) => logger.warn({ err: error }, 'reconcile failed'));
void reconcile();
const reconcileTimer = setInterval(reconcile, env.RECONCILE_INTERVAL_MS);

shutdown.register('reconciler', () => clearInterval(reconcileTimer));
shutdown.register('http', () => app.close());
shutdown.register('queue', () => queue.close());
shutdown.register('redis', () => void redis.disconnect());
shutdown.register('database', () => database.close());
