import { availableParallelism } from 'node:os';
import { parseEnv } from '@frontline/config';
import { z } from 'zod';

const envSchema = z.object({
  /** The app role's login (postgres://frontline_app:…), never the owner's: see README "Database roles". */
  DATABASE_URL: z.string().min(1, 'is required (postgres://frontline_app:<password>@host:port/db)'),
  /** With the Redis password when it has one (redis://:<password>@host:port). */
  REDIS_URL: z.string().min(1, 'is required (redis://:<password>@host:port)'),
  /** Simulation threads; BullMQ concurrency matches it so every job has a thread. */
  WORKER_THREADS: z.coerce.number().int().positive().default(availableParallelism()),
  /**
   * Chunks in flight per worker process (default 2 × threads): each thread runs one chunk and has the
   * next queued in the pool, so it does not idle while a finished chunk is written to Postgres and the
   * next job is fetched (measured: end-to-end/raw 0.881 with 1 per thread, 0.903 with 2).
   */
  WORKER_CONCURRENCY: z.coerce.number().int().positive().optional(),
  /** Port of the worker's own /healthz and /metrics (0 = any free port, -1 = none). */
  WORKER_PORT: z.coerce.number().int().min(-1).max(65_535).default(0),
  WORKER_HOST: z.string().default('127.0.0.1'),
  /** A chunk running longer than this is aborted and retried (guards against a hung simulation). */
  CHUNK_TIMEOUT_MS: z.coerce.number().int().positive().default(120_000),
  /**
   * A Postgres statement with no answer after this long fails and its connection is discarded; the
   * chunk's write then retries on a new one. Guards against a connection gone silent (a partition, a
   * proxy that lost its upstream), which would otherwise hold the job, lock renewed, forever. Above
   * the 60 s after which Postgres ends a cut-off worker's transaction (README "Database roles"), whose
   * locks a write may wait for.
   */
  DB_QUERY_TIMEOUT_MS: z.coerce.number().int().min(1_000).default(90_000),
  /** How long SIGTERM waits for running chunks before giving up. */
  SHUTDOWN_GRACE_MS: z.coerce.number().int().positive().default(30_000),
  /** BullMQ key prefix: separate deployments (or test runs) on one Redis. */
  QUEUE_PREFIX: z.string().min(1).default('frontline'),
  /** BullMQ job lock; a crashed worker's chunks are retried by another after about this long. */
  JOB_LOCK_MS: z.coerce.number().int().min(1_000).default(30_000),
  /** How often the worker writes its heartbeat (busy threads, for the queue view). */
  HEARTBEAT_MS: z.coerce.number().int().min(100).default(5_000),
  LOG_LEVEL: z.string().default('info'),
});

export type WorkerEnv = z.infer<typeof envSchema>;
export const loadEnv = (): WorkerEnv => parseEnv(envSchema, process.env);
