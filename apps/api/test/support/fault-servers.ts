import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrate } from '@frontline/db';
import {
  type PostgresHandle,
  type RedisHandle,
  randomHighPort,
  startPostgres,
  startRedis,
} from '@frontline/stack';

/**
 * A Postgres and a Redis of the fault tests' own (temp data, random high ports), so crashing them
 * never disturbs another test file or another agent's servers.
 */
export async function startFaultServers() {
  const dir = mkdtempSync(join(tmpdir(), 'frontline-faults-'));
  chmodSync(dir, 0o755); // run as root, the server runs as an unprivileged user that must reach its data
  let postgres: PostgresHandle | undefined;
  let redis: RedisHandle | undefined;
  try {
    postgres = await startPostgres({
      dataDir: join(dir, 'postgres'),
      passwordFile: join(dir, 'postgres-password'),
      database: 'frontline',
      preferredPort: randomHighPort(),
      throwaway: true,
      settings: { max_connections: '200' },
    });
    redis = await startRedis({ dir: join(dir, 'redis'), preferredPort: randomHighPort() });
    await migrate(postgres.url);
  } catch (error) {
    await redis?.stop();
    await postgres?.stop();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const pg = postgres;
  const rd = redis;
  return {
    postgres: pg,
    redis: rd,
    /** Crash Redis and delete its append-only file: restart() then brings it back empty. */
    async loseRedisData() {
      await rd.kill9();
      rmSync(rd.dir, { recursive: true, force: true });
      mkdirSync(rd.dir);
    },
    /** Bring back a server a failed test left down, so the next test starts on a healthy stack. */
    async ensureRunning() {
      if (!pg.process.isRunning) await pg.restart();
      if (!rd.process.isRunning) await rd.restart();
    },
    async stop() {
      await rd.stop();
      await pg.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
export type FaultServers = Awaited<ReturnType<typeof startFaultServers>>;
