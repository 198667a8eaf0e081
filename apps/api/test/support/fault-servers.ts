import { mkdirSync, rmSync } from 'node:fs';
import { migrate } from '@frontline/db';
import { startThrowawayServers } from '@frontline/stack';

/**
 * A Postgres and a Redis of the fault tests' own (the stack's throwaway servers: temp data, random
 * high ports, reclaimed if this run dies), so crashing them never disturbs another test file.
 */
export async function startFaultServers() {
  const servers = await startThrowawayServers((line) => console.log(`[fault-servers] ${line}`));
  try {
    await migrate(servers.postgres.url);
  } catch (error) {
    await servers.stop();
    throw error;
  }
  const { postgres, redis } = servers;
  return {
    postgres,
    redis,
    /** Crash Redis and delete its append-only file: restart() then brings it back empty. */
    async loseRedisData() {
      await redis.kill9();
      rmSync(redis.dir, { recursive: true, force: true });
      mkdirSync(redis.dir);
    },
    /** Bring back a server a failed test left down, so the next test starts on a healthy stack. */
    async ensureRunning() {
      if (!postgres.process.isRunning) await postgres.restart();
      if (!redis.process.isRunning) await redis.restart();
    },
    stop: () => servers.stop(),
  };
}
export type FaultServers = Awaited<ReturnType<typeof startFaultServers>>;
