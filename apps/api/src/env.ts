import { parseEnv } from '@frontline/config';
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
  /** Operator setting: let tenants reuse each other's stored outcomes (off: reuse stays within a tenant). */
  SHARE_OUTCOMES_ACROSS_TENANTS: z
    .enum(['true', 'false'], { error: 'must be true or false' })
    .default('false')
    .transform((value) => value === 'true'),
});

export type ApiEnv = z.infer<typeof envSchema>;
export const loadEnv = (): ApiEnv => parseEnv(envSchema);
