import { parseEnv, resolveCodeVersion } from '@frontline/config';
import { z } from 'zod';

const envSchema = z.object({
  /** The app role's login (postgres://frontline_app:…), never the owner's: see README "Database roles". */
  DATABASE_URL: z.string().min(1, 'is required (postgres://frontline_app:<password>@host:port/db)'),
  /** With the Redis password when it has one (redis://:<password>@host:port). */
  REDIS_URL: z.string().min(1, 'is required (redis://:<password>@host:port)'),
  API_HOST: z.string().default('127.0.0.1'),
  API_PORT: z.coerce.number().int().min(0).max(65_535).default(8080),
  /** How often the reconciler re-enqueues pending chunks missing from Redis. */
  RECONCILE_INTERVAL_MS: z.coerce.number().int().positive().default(15_000),
  /** BullMQ key prefix: separate deployments (or test runs) on one Redis. */
  QUEUE_PREFIX: z.string().min(1).default('frontline'),
  LOG_LEVEL: z.string().default('info'),
  /** The built dashboard served at `/` (apps/web/dist; the local stack and compose set it). Unset: `/` says how. */
  DASHBOARD_DIR: z.string().min(1).optional(),
  /** Operator setting: let tenants reuse each other's stored outcomes (off: reuse stays within a tenant). */
  SHARE_OUTCOMES_ACROSS_TENANTS: z
    .enum(['true', 'false'], { error: 'must be true or false' })
    .default('false')
    .transform((value) => value === 'true'),
  /** Connections for key lookups and light reads (never held by survival, points or exports). */
  LIGHT_POOL_MAX: z.coerce.number().int().min(1).default(6),
  /** Connections for heavy reads (survival 2 at once, points up to 5). */
  HEAVY_POOL_MAX: z.coerce.number().int().min(1).default(16),
  /** Survival and points requests in flight in this process; more wait, then 503. One tenant gets all but one. */
  HEAVY_CONCURRENCY: z.coerce.number().int().min(1).default(6),
  /** Heavy requests in flight per API key; one more is answered 429. */
  HEAVY_PER_KEY: z.coerce.number().int().min(1).default(4),
  /** Exports streaming at once in this process (each on a connection of the export pool), and per API key. */
  EXPORT_CONCURRENCY: z.coerce.number().int().min(1).default(4),
  EXPORT_PER_KEY: z.coerce.number().int().min(1).default(2),
  /** How long a heavy request waits for a free slot before 503 + Retry-After. */
  HEAVY_QUEUE_MS: z.coerce.number().int().min(0).default(5_000),
  /**
   * A statement of the light or heavy pool with no answer after this long fails as a connection error
   * (503) and its connection is discarded: one gone silent (a partition, a proxy that lost its upstream)
   * would otherwise hold its request and pool slot forever, and with a few of them every key check would
   * wait. Exports stream from a pool of their own without it. Above the 60 s after which Postgres ends a
   * cut-off session's transaction (README "Database roles"), whose locks a statement may wait for.
   */
  DB_QUERY_TIMEOUT_MS: z.coerce.number().int().min(1_000).default(90_000),
  /** Postgres statement_timeout on the heavy pool (a cancelled statement answers 503). */
  HEAVY_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(1).default(30_000),
  /** Postgres statement_timeout of one export (its COPY or cursor runs for the whole download). */
  EXPORT_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(1).default(900_000),
  /** An export whose client has read nothing for this long is aborted and its connection freed. */
  EXPORT_STALL_MS: z.coerce.number().int().min(100).default(30_000),
  /** Worker threads computing statistics (Kaplan–Meier, log-rank) off the event loop. */
  STATS_THREADS: z.coerce.number().int().min(1).default(2),
  /** Time budget of one request's statistics; past it the thread is stopped and the request gets 503. */
  STATS_TIMEOUT_MS: z.coerce.number().int().min(100).default(20_000),
  /** Heap of one statistics thread (resourceLimits.maxOldGenerationSizeMb). */
  STATS_MEMORY_MB: z.coerce.number().int().min(32).default(512),
});

export type ApiEnv = z.infer<typeof envSchema>;
export const loadEnv = (): ApiEnv => parseEnv(envSchema, process.env);

/** The code version recorded in each sweep's provenance: FRONTLINE_CODE_VERSION, else the git commit. */
export const codeVersion = (): string => resolveCodeVersion(process.env.FRONTLINE_CODE_VERSION || undefined);
