import { hostname } from 'node:os';
import { assertUnprivilegedLogin, connectDatabase } from '@frontline/db';
import {
  type ChunkJob,
  type ChunkResult,
  chunkQueueName,
  enqueueChunks,
  redisConnection,
} from '@frontline/queue';
import { createLogger, ShutdownManager } from '@frontline/runtime';
import { kernelNodeFlags, missingKernelNodeFlags } from '@frontline/sim';
import { Queue, Worker } from 'bullmq';
import { createChunkProcessor } from './chunk-processor.js';
import { loadEnv } from './env.js';
import { startHealthServer } from './health-server.js';
import { startHeartbeat } from './heartbeat.js';
import { createWorkerMetrics } from './metrics.js';
import { createSimulationPool } from './pool.js';

const env = loadEnv();
const logger = createLogger('worker', env.LOG_LEVEL);
const shutdown = new ShutdownManager(logger, env.SHUTDOWN_GRACE_MS + 5_000);
shutdown.listen();
if (missingKernelNodeFlags().length > 0)
  logger.warn(
    { missing: missingKernelNodeFlags(), expected: kernelNodeFlags },
    'started without the kernel V8 flags: simulations run ~7 % slower (docs/benchmarks.md)',
  );

// DATABASE_URL logs in as the app role; migrations run before, as the owner (stack, compose's migrate step).
const database = connectDatabase(env.DATABASE_URL, {
  max: env.WORKER_THREADS + 2,
  application: 'frontline-worker',
  queryTimeoutMs: env.DB_QUERY_TIMEOUT_MS,
});
await assertUnprivilegedLogin(database.pool);
const simulations = createSimulationPool(env.WORKER_THREADS);
const metrics = createWorkerMetrics(() => simulations.busyThreads);
const workerHost = `${hostname()}:${process.pid}`;

// A finished chunk queues the next of its sweep (the enqueue window), as a producer: fail fast.
const queue = new Queue(chunkQueueName, {
  connection: redisConnection(env.REDIS_URL, 'producer'),
  prefix: env.QUEUE_PREFIX,
});
queue.on('error', (error) => logger.warn({ err: error }, 'queue error'));

const processChunk = createChunkProcessor({
  pool: database.pool,
  simulations,
  workerHost,
  chunkTimeoutMs: env.CHUNK_TIMEOUT_MS,
  enqueue: (chunks) => enqueueChunks(queue, chunks),
  logger,
  metrics,
});
// Jobs held now (concurrency is 2 × threads: one simulating, one writing or waiting per thread).
const worker = new Worker<ChunkJob, ChunkResult>(
  chunkQueueName,
  async (job) => {
    metrics.runningChunks.inc();
    try {
      return await processChunk(job);
    } finally {
      metrics.runningChunks.dec();
    }
  },
  {
    connection: redisConnection(env.REDIS_URL, 'worker'),
    prefix: env.QUEUE_PREFIX,
    concurrency: env.WORKER_CONCURRENCY ?? 2 * env.WORKER_THREADS,
    lockDuration: env.JOB_LOCK_MS,
    stalledInterval: Math.max(500, Math.floor(env.JOB_LOCK_MS / 2)),
    // Let the queue view see this worker (host, pid, threads).
    name: JSON.stringify({ host: hostname(), pid: process.pid, threads: env.WORKER_THREADS }),
  },
);
worker.on('error', (error) => logger.error({ err: error }, 'worker error'));

const heartbeat = startHeartbeat(
  database.pool,
  workerHost,
  env.WORKER_THREADS,
  () => simulations.busyThreads,
  env.HEARTBEAT_MS,
);
const health =
  env.WORKER_PORT >= 0
    ? await startHealthServer(metrics.registry, env.WORKER_HOST, env.WORKER_PORT, () => worker.isRunning())
    : undefined;

// Order matters: stop taking jobs and let running chunks finish, then free threads and connections.
shutdown.register('bullmq worker', () => worker.close());
shutdown.register('simulation pool', () => simulations.close());
shutdown.register('queue', () => queue.close());
shutdown.register('heartbeat', () => heartbeat.stop());
shutdown.register('database', () => database.close());
if (health)
  shutdown.register('health server', () => new Promise<void>((r) => health.server.close(() => r())));

logger.info({ threads: env.WORKER_THREADS, url: health?.url, workerHost }, 'worker ready');
