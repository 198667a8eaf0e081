import { Redis } from 'ioredis';

export type RedisRole = 'worker' | 'producer';

/**
 * Redis connection per BullMQ's guidance: workers retry forever (`maxRetriesPerRequest: null`) and
 * survive a Redis restart; producers fail fast so an API request gets an answer, not a hang.
 */
export function redisConnection(url: string, role: RedisRole): Redis {
  const redis = new Redis(url, {
    maxRetriesPerRequest: role === 'worker' ? null : 1,
    enableOfflineQueue: role === 'worker',
    connectTimeout: 2_000,
    retryStrategy: (times) => Math.min(times * 200, 2_000),
  });
  // Connection errors are retried by ioredis; an unhandled 'error' event would crash the process.
  redis.on('error', () => {});
  return redis;
}
