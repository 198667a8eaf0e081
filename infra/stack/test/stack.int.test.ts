import { readdirSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { findFreePort, isPortFree, randomHighPort } from '../src/ports.js';
import { startPostgres } from '../src/postgres.js';
import { startRedis } from '../src/redis.js';
import { RedisReplyError, redisCommand } from '../src/redis-command.js';
import { makeScratchDir } from '../src/test-servers.js';
import { bannerAt, listenWithBanner, portOf } from './support/foreign-server.js';

async function query<T extends pg.QueryResultRow>(url: string, sql: string, values: unknown[] = []) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, values)).rows;
  } finally {
    await client.end();
  }
}

describe('the Postgres of the test stack', () => {
  it('answers queries', async () => {
    expect(await query(inject('databaseUrl'), 'select 1 as one')).toEqual([{ one: 1 }]);
  });

  it('has the committed migrations applied', async () => {
    const rows = await query<{ table_name: string }>(
      inject('databaseUrl'),
      "select table_name from information_schema.tables where table_schema = 'public' order by table_name",
    );
    expect(rows.map((row) => row.table_name)).toEqual(
      expect.arrayContaining(['chunks', 'outcomes', 'points', 'sweep_points', 'sweeps', 'worker_heartbeats']),
    );
  });
});

describe('the Redis of the test stack', () => {
  it('never evicts keys (BullMQ needs every job key kept)', async () => {
    expect(await redisCommand(inject('redisUrl'), ['CONFIG', 'GET', 'maxmemory-policy'])).toEqual([
      'maxmemory-policy',
      'noeviction',
    ]);
  });

  it('refuses clients without its password: NOAUTH, no key readable', async () => {
    const url = inject('redisUrl');
    expect(new URL(url).password).not.toBe('');
    expect(await redisCommand(url, ['SET', 'frontline:secret', 'tenant data'])).toBe('OK');
    const withoutPassword = new URL(url);
    withoutPassword.password = '';
    for (const command of [
      ['GET', 'frontline:secret'],
      ['KEYS', '*'],
      ['CONFIG', 'GET', 'requirepass'],
    ]) {
      await expect(redisCommand(withoutPassword.toString(), command)).rejects.toThrow(
        new RedisReplyError('NOAUTH Authentication required.'),
      );
    }
    const wrongPassword = new URL(url);
    wrongPassword.password = 'guess';
    await expect(redisCommand(wrongPassword.toString(), ['GET', 'frontline:secret'])).rejects.toThrow(
      /WRONGPASS/,
    );
    expect(await redisCommand(url, ['GET', 'frontline:secret'])).toBe('tenant data');
    await redisCommand(url, ['DEL', 'frontline:secret']);
  });

  it('persists with an append-only file', async () => {
    expect(await redisCommand(inject('redisUrl'), ['CONFIG', 'GET', 'appendonly'])).toEqual([
      'appendonly',
      'yes',
    ]);
  });
});

describe('findFreePort', () => {
  let occupied: Server;
  let occupiedPort: number;

  beforeAll(async () => {
    occupiedPort = await findFreePort({ preferred: randomHighPort() });
    occupied = createServer();
    await new Promise<void>((resolve) => occupied.listen(occupiedPort, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    await new Promise((resolve) => occupied.close(resolve));
  });

  it('sees a port we occupy as busy', async () => {
    expect(await isPortFree(occupiedPort)).toBe(false);
  });

  it('skips the occupied port and returns a free one above it', async () => {
    const port = await findFreePort({ preferred: occupiedPort });
    expect(port).toBeGreaterThan(occupiedPort);
    expect(await isPortFree(port)).toBe(true);
  });

  it('skips ports already promised to another server', async () => {
    const promised = await findFreePort({ preferred: occupiedPort + 1 });
    const next = await findFreePort({ preferred: occupiedPort + 1, exclude: new Set([promised]) });
    expect(next).toBeGreaterThan(promised);
  });
});

// Fault-injection tests will crash and restart servers; these show that the handles support it.
describe('server handles', () => {
  const scratchDirs: string[] = [];
  const scratchDir = () => {
    const dir = makeScratchDir();
    scratchDirs.push(dir);
    return dir;
  };
  afterAll(() => {
    for (const dir of scratchDirs) rmSync(dir, { recursive: true, force: true });
  });

  it('a Redis killed with SIGKILL restarts on the same port with its acknowledged writes', async () => {
    const dir = scratchDir();
    const redis = await startRedis({ dir: join(dir, 'redis'), preferredPort: randomHighPort() });
    try {
      expect(await redisCommand(redis.url, ['SET', 'sweep:42:status', 'running'])).toBe('OK');
      const crashedPid = redis.pid;
      await redis.kill9();
      expect(redis.process.isRunning).toBe(false);
      await redis.restart();
      expect(redis.pid).not.toBe(crashedPid);
      expect(await redisCommand(redis.url, ['GET', 'sweep:42:status'])).toBe('running');
    } finally {
      await redis.stop();
    }
  });

  it('a Postgres killed with SIGKILL recovers its committed rows on restart', async () => {
    const dir = scratchDir();
    const postgres = await startPostgres({
      dataDir: join(dir, 'postgres'),
      passwordFile: join(dir, 'postgres-password'),
      database: 'recovery',
      preferredPort: randomHighPort(),
      throwaway: true, // fsync off: a killed server still keeps every acknowledged commit
    });
    try {
      await query(postgres.url, 'create table survivors (patient int primary key)');
      await query(postgres.url, 'insert into survivors select generate_series(1, 100)');
      await postgres.kill9();
      await postgres.restart();
      expect(await query(postgres.url, 'select count(*)::int as n from survivors')).toEqual([{ n: 100 }]);
    } finally {
      await postgres.stop();
    }
  });

  it("keeps Redis's and Postgres's data readable by their owner alone (append-only files 600, folders 700)", async () => {
    const dir = scratchDir();
    const redis = await startRedis({ dir: join(dir, 'redis'), preferredPort: randomHighPort() });
    const postgres = await startPostgres({
      dataDir: join(dir, 'postgres'),
      passwordFile: join(dir, 'postgres-password'),
      database: 'modes',
      preferredPort: randomHighPort(),
      throwaway: true,
    });
    try {
      await redisCommand(redis.url, ['SET', 'sweep:1', 'queued']);
      expect(modesUnder(join(dir, 'redis'))).toEqual({
        '.': 0o700,
        appendonlydir: 0o700,
        ...Object.fromEntries(
          readdirSync(join(dir, 'redis', 'appendonlydir')).map((file) => [`appendonlydir/${file}`, 0o600]),
        ),
        'redis.conf': 0o600,
      });
      expect(readdirSync(join(dir, 'redis', 'appendonlydir')).length).toBeGreaterThanOrEqual(2);
      expect(mode(join(dir, 'postgres'))).toBe(0o700);
      expect(mode(join(dir, 'postgres-password'))).toBe(0o600);
      expect(mode(dir)).toBe(0o711);
    } finally {
      await redis.stop();
      await postgres.stop();
    }
  });

  it('Postgres and Redis whose port is taken between the check and the bind start on the next one', async () => {
    const dir = scratchDir();
    const taken: Server[] = [];
    /** Per server: take the first port it picks, just before it binds. */
    const takeFirstPort = () => {
      let done = false;
      return async (port: number) => {
        if (!done) taken.push(await listenWithBanner(port));
        done = true;
      };
    };
    try {
      const redis = await startRedis({
        dir: join(dir, 'redis'),
        preferredPort: randomHighPort(),
        beforeBind: takeFirstPort(),
      });
      const postgres = await startPostgres({
        dataDir: join(dir, 'postgres'),
        passwordFile: join(dir, 'postgres-password'),
        database: 'race',
        preferredPort: randomHighPort(),
        throwaway: true,
        beforeBind: takeFirstPort(),
      });
      try {
        const [redisTaken, postgresTaken] = taken.map(portOf);
        expect(redis.port).toBeGreaterThan(redisTaken ?? 0);
        expect(postgres.port).toBeGreaterThan(postgresTaken ?? 0);
        expect(await redisCommand(redis.url, ['PING'])).toBe('PONG');
        expect(await query(postgres.url, 'select 1 as one')).toEqual([{ one: 1 }]);
        // The processes that won the race keep their ports, untouched.
        for (const server of taken) expect(await bannerAt(portOf(server))).toBe('not frontline\n');
      } finally {
        await postgres.stop();
        await redis.stop();
      }
    } finally {
      for (const server of taken) server.close();
    }
  });

  it('a second Redis skips the port of one already running', async () => {
    const dir = scratchDir();
    const first = await startRedis({ dir: join(dir, 'first'), preferredPort: randomHighPort() });
    try {
      const second = await startRedis({ dir: join(dir, 'second'), preferredPort: first.port });
      try {
        expect(second.port).toBeGreaterThan(first.port);
        expect(await redisCommand(second.url, ['PING'])).toBe('PONG');
        expect(await redisCommand(first.url, ['PING'])).toBe('PONG');
      } finally {
        await second.stop();
      }
    } finally {
      await first.stop();
    }
  });
});

const mode = (path: string) => statSync(path).mode & 0o777;

/** Modes of a folder and everything in it, by relative path. */
function modesUnder(root: string, relativeDir = '.'): Record<string, number> {
  const modes: Record<string, number> = { [relativeDir]: mode(join(root, relativeDir)) };
  for (const name of readdirSync(join(root, relativeDir))) {
    const path = relativeDir === '.' ? name : `${relativeDir}/${name}`;
    if (statSync(join(root, path)).isDirectory()) Object.assign(modes, modesUnder(root, path));
    else modes[path] = mode(join(root, path));
  }
  return modes;
}
