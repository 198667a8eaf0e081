import { chunkQueueName, redisConnection } from '@frontline/queue';
import { Queue } from 'bullmq';
import { inject } from 'vitest';
import { buildApp } from '../../src/app.js';
import { connectApiDatabases } from '../../src/databases.js';

/**
 * The API in this process on pools of its own, made as main.ts makes them (connectApiDatabases) with a
 * small bound on an unanswered statement (DB_QUERY_TIMEOUT_MS), on the harness's queue. `close` is bounded:
 * a request still hung on a silent connection would otherwise keep it waiting.
 */
export async function apiOnOwnPools(databaseUrl: string, queuePrefix: string, queryTimeoutMs: number) {
  const databases = connectApiDatabases(databaseUrl, {
    lightPoolMax: 3,
    heavyPoolMax: 3,
    heavyStatementTimeoutMs: 30_000,
    exportConcurrency: 2,
    queryTimeoutMs,
  });
  const redis = redisConnection(inject('redisUrl'), 'producer');
  const queue = new Queue(chunkQueueName, { connection: redis, prefix: queuePrefix });
  const app = await buildApp({
    pool: databases.light.pool,
    heavyPool: databases.heavy.pool,
    exportPool: databases.exports.pool,
    exportSilenceMs: queryTimeoutMs,
    queue,
    redis,
    logger: process.env.DEBUG_API === '1',
    rateLimitPerMinute: 1_000_000,
  });
  return {
    app,
    databases,
    async close() {
      app.server.closeAllConnections();
      const cleanup = async () => {
        await app.close();
        await queue.close();
        redis.disconnect();
        await databases.close();
      };
      await Promise.race([cleanup().catch(() => {}), new Promise((resolve) => setTimeout(resolve, 10_000))]);
    },
  };
}
