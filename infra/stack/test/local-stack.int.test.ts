// The whole local stack (`pnpm stack`), in a scratch state folder on random high ports: its own
// Postgres and Redis, migrations, the API and a worker, as a developer runs it.
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import type { Server } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stackPaths } from '../src/paths.js';
import { randomHighPort } from '../src/ports.js';
import { RedisReplyError, redisCommand } from '../src/redis-command.js';
import { runStack, type StackUrls } from '../src/stack.js';
import type { LocalStackFile } from '../src/stack-file.js';
import { makeScratchDir } from '../src/test-servers.js';
import { bannerAt, listenWithBanner, portOf } from './support/foreign-server.js';

const scratch = makeScratchDir();
const paths = stackPaths(join(scratch, '.frontline'));
const output: string[] = [];
/** Someone else's listener on the first port the stack picked for each service. */
const taken = new Map<string, Server>();
let urls: StackUrls;
let finishTask: () => void = () => {};
let stackExit: Promise<number>;

const { DATABASE_URL, APP_DATABASE_URL, REDIS_URL, API_PORT, ...inheritedEnv } = process.env;

beforeAll(async () => {
  const ready = new Promise<StackUrls>((resolve) => {
    stackExit = runStack({
      stateDir: paths.stateDir,
      env: { ...inheritedEnv, LOG_LEVEL: 'warn', WORKER_THREADS: '1' },
      ports: {
        postgres: randomHighPort(),
        redis: randomHighPort(),
        api: randomHighPort(),
        worker: randomHighPort(),
      },
      workers: 1,
      print: (text) => output.push(...text.trimEnd().split('\n')),
      // Take each service's first pick just before it binds: the race between check and bind.
      beforeBind: async (service, port) => {
        if (!taken.has(service)) taken.set(service, await listenWithBanner(port));
      },
      task: (stackUrls) => {
        resolve(stackUrls);
        return new Promise<void>((finish) => {
          finishTask = finish;
        });
      },
    });
  });
  urls = await Promise.race([
    ready,
    stackExit.then((code) => {
      throw new Error(`the stack exited with ${code}:\n${output.join('\n')}`);
    }),
  ]);
}, 300_000);

afterAll(async () => {
  finishTask();
  const code = await stackExit;
  if (process.env.FRONTLINE_SHOW_STACK_OUTPUT) console.log(output.join('\n'));
  try {
    expect(code).toBe(0);
    // Stopped: the URLs and pids are gone; the admin key stays, readable by its owner alone.
    expect(existsSync(paths.stackFile)).toBe(false);
    expect(existsSync(paths.ownershipFile)).toBe(false);
    expect(mode(paths.adminKeyFile)).toBe(0o600);
  } finally {
    for (const server of taken.values()) server.close();
    rmSync(scratch, { recursive: true, force: true });
  }
}, 120_000);

const stackFile = () => JSON.parse(readFileSync(paths.stackFile, 'utf8')) as LocalStackFile;
const urlPort = (url: string) => Number(new URL(url).port);

describe('the local stack', () => {
  it('starts each service on another port when its first pick is taken, and leaves the taker alone', async () => {
    const started = {
      postgres: urlPort(urls.databaseUrl ?? ''),
      redis: urlPort(urls.redisUrl),
      api: urlPort(urls.apiUrl),
      'worker-1': urlPort(urls.workerUrls[0] ?? ''),
    };
    expect([...taken.keys()].sort()).toEqual(Object.keys(started).sort());
    for (const [service, port] of Object.entries(started)) {
      const server = taken.get(service) as Server;
      expect(port).toBeGreaterThan(portOf(server));
      expect(await bannerAt(portOf(server))).toBe('not frontline\n');
    }
    expect((await fetch(`${urls.apiUrl}/readyz`)).status).toBe(200);
  });

  it('runs the API and workers logged in as frontline_app, with the password kept in .frontline/', async () => {
    const appUrl = new URL(stackFile().appDatabaseUrl);
    expect(appUrl.username).toBe('frontline_app');
    expect(decodeURIComponent(appUrl.password)).toBe(readFileSync(paths.appPasswordFile, 'utf8').trim());
    const owner = new pg.Client({ connectionString: urls.databaseUrl });
    await owner.connect();
    try {
      const { rows } = await owner.query(
        `select application_name, array_agg(distinct usename::text) as logins from pg_stat_activity
         where application_name in ('frontline-api', 'frontline-worker') group by 1 order by 1`,
      );
      expect(rows).toEqual([
        { application_name: 'frontline-api', logins: ['frontline_app'] },
        { application_name: 'frontline-worker', logins: ['frontline_app'] },
      ]);
    } finally {
      await owner.end();
    }
  });

  it("answers NOAUTH to a Redis client without the password of stack.json's URL", async () => {
    const withPassword = stackFile().redisUrl;
    expect(new URL(withPassword).password).not.toBe('');
    const withoutPassword = new URL(withPassword);
    withoutPassword.password = '';
    await expect(redisCommand(withoutPassword.toString(), ['KEYS', '*'])).rejects.toThrow(
      new RedisReplyError('NOAUTH Authentication required.'),
    );
    expect(await redisCommand(withPassword, ['PING'])).toBe('PONG');
  });

  it('keeps its state readable by its owner alone', () => {
    const aof = join(paths.redisDataDir, 'appendonlydir');
    expect({
      stateDir: mode(paths.stateDir),
      stackFile: mode(paths.stackFile),
      ownershipFile: mode(paths.ownershipFile),
      adminKey: mode(paths.adminKeyFile),
      postgresPassword: mode(paths.postgresPasswordFile),
      appPassword: mode(paths.appPasswordFile),
      postgresData: mode(paths.postgresDataDir),
      redisData: mode(paths.redisDataDir),
      redisConfig: mode(join(paths.redisDataDir, 'redis.conf')),
      appendOnlyDir: mode(aof),
      appendOnlyFiles: [...new Set(readdirSync(aof).map((file) => mode(join(aof, file))))],
    }).toEqual({
      // As root the postgres server user must pass through to its data (search only, no listing).
      stateDir: process.getuid?.() === 0 ? 0o711 : 0o700,
      stackFile: 0o600,
      ownershipFile: 0o600,
      adminKey: 0o600,
      postgresPassword: 0o600,
      appPassword: 0o600,
      postgresData: 0o700,
      redisData: 0o700,
      redisConfig: 0o600,
      appendOnlyDir: 0o700,
      appendOnlyFiles: [0o600],
    });
  });

  it('restarts a SIGKILLed worker with backoff, says so, and still completes sweeps', async () => {
    const crashedPid = stackFile().pids['worker-1'] as number;
    expect(crashedPid).toBeGreaterThan(0);
    process.kill(crashedPid, 'SIGKILL');

    const restartedLine = await outputLine(/\[stack\]\s+worker-1 restarted \(pid (\d+)\)/);
    const newPid = Number(/\(pid (\d+)\)/.exec(restartedLine)?.[1]);
    expect(output).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `\\[stack\\]\\s+worker-1 \\(pid ${crashedPid}\\) exited unexpectedly with signal SIGKILL; restarting worker-1 in 1 s \\(restart 1 of 5 allowed within 600 s\\)`,
        ),
      ),
    );
    expect(newPid).not.toBe(crashedPid);
    await until(() => stackFile().pids['worker-1'] === newPid);
    expect(stackFile().pids.api).toBe(urlsPids.api);

    const readyz = await fetch(`${urls.apiUrl}/readyz`);
    expect(readyz.status).toBe(200);
    const headers = { authorization: `Bearer ${urls.adminKey}`, 'content-type': 'application/json' };
    const submitted = await fetch(`${urls.apiUrl}/v1/sweeps`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        name: 'after the worker crashed',
        design: { kind: 'grid', axes: { dose: [0, 2] } },
        cohort: { patients: 20, seed: 4242, chunkSize: 10 },
        params: { horizonDays: 90 },
      }),
    });
    expect(submitted.status).toBe(202);
    const { id } = (await submitted.json()) as { id: string };
    let sweep: { status: string; progress: { done: number; total: number } };
    do {
      await sleep(200);
      sweep = (await (await fetch(`${urls.apiUrl}/v1/sweeps/${id}`, { headers })).json()) as typeof sweep;
    } while (sweep.status === 'queued' || sweep.status === 'running');
    expect(sweep.status).toBe('completed');
    expect(sweep.progress.done).toBe(40);
  });
});

/** The pids as the stack published them when it became ready (set by the first stack.json read). */
const urlsPids: Record<string, number> = {};
beforeAll(() => {
  Object.assign(urlsPids, stackFile().pids);
});

const mode = (path: string) => statSync(path).mode & 0o777;

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await sleep(100);
}

async function outputLine(pattern: RegExp): Promise<string> {
  for (;;) {
    const line = output.find((candidate) => pattern.test(candidate));
    if (line) return line;
    await sleep(100);
  }
}
