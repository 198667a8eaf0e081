import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { liveOwner, OwnershipFile, reclaimOrphans } from './owned-processes.js';
import { randomHighPort } from './ports.js';
import { type PostgresHandle, startPostgres } from './postgres.js';
import { type RedisHandle, startRedis } from './redis.js';

const prefix = 'frontline-test-';
const ownershipName = 'processes.json';

/** A scratch folder for throwaway servers: ours, but passable (not listable) by the postgres user. */
export function makeScratchDir(): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dir, 0o711);
  return dir;
}

export interface ThrowawayServers {
  postgres: PostgresHandle;
  redis: RedisHandle;
  /** Stop both, delete their data. */
  stop(): Promise<void>;
}

/**
 * A Postgres and a Redis on free ports with data in a temp folder, for tests. The folder records
 * their pids, so a later run removes them if this process dies without stopping them.
 */
export async function startThrowawayServers(log: (line: string) => void): Promise<ThrowawayServers> {
  await removeAbandonedScratchDirs(log);
  const dir = makeScratchDir();
  const ownership = new OwnershipFile(join(dir, ownershipName));
  const started: { stop(): Promise<void>; pid: number }[] = [];
  const stop = async () => {
    for (const server of started.reverse()) {
      await server.stop();
      ownership.remove(server.pid);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const postgres = await startPostgres({
      dataDir: join(dir, 'postgres'),
      passwordFile: join(dir, 'postgres-password'),
      database: 'frontline',
      preferredPort: randomHighPort(),
      throwaway: true,
      // Several worker processes with their own pools run against it at once.
      settings: { max_connections: '200' },
      onLine: nonLogLines(log),
    });
    started.push(postgres);
    ownership.add('postgres', postgres.pid, 'SIGINT');
    const redis = await startRedis({
      dir: join(dir, 'redis'),
      preferredPort: randomHighPort(),
      onLine: nonLogLines(log),
    });
    started.push(redis);
    ownership.add('redis', redis.pid, 'SIGTERM');
    return { postgres, redis, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Only our own messages (installs, permissions), not the servers' log lines. */
function nonLogLines(log: (line: string) => void): (line: string) => void {
  return (line) => {
    if (!/^\d/.test(line)) log(line);
  };
}

/** Scratch folders whose test run was killed: stop their servers (verified by pid + start time), delete them. */
async function removeAbandonedScratchDirs(log: (line: string) => void): Promise<void> {
  const hourAgo = Date.now() - 3_600_000;
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith(prefix)) continue;
    const dir = join(tmpdir(), name);
    const ownershipPath = join(dir, ownershipName);
    try {
      if (existsSync(ownershipPath)) {
        if (liveOwner(ownershipPath) !== undefined) continue;
        await reclaimOrphans(ownershipPath, log);
      } else if (statSync(dir).mtimeMs > hourAgo) {
        continue; // maybe a run that is still starting its servers
      }
      rmSync(dir, { recursive: true, force: true });
    } catch (error) {
      log(`could not clean up ${dir}: ${(error as Error).message}`);
    }
  }
}
