import { mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { migrate } from '@frontline/db';
import { ensureAdminKey } from './admin-key.js';
import { startApp } from './apps.js';
import { ensureDashboardBuilt } from './dashboard.js';
import { readStackEnv, type StackEnv } from './env.js';
import { prefixed, serverLines } from './output.js';
import { liveOwner, OwnershipFile, reclaimOrphans } from './owned-processes.js';
import {
  apiEntry,
  postgresDataDir,
  postgresPasswordFile,
  projectRoot,
  redisDataDir,
  stackFile,
  stateDir,
  workerEntry,
} from './paths.js';
import { findFreePort, isPortFree } from './ports.js';
import { startPostgres } from './postgres.js';
import type { ManagedProcess } from './process-group.js';
import { startRedis } from './redis.js';
import { removeStackFile, writeStackFile } from './stack-file.js';
import { Supervisor } from './supervisor.js';
import { httpOk, waitUntil } from './wait.js';

export interface StackUrls {
  apiUrl: string;
  databaseUrl: string;
  redisUrl: string;
  /** Admin API key of tenant "default", for the CLI and scripts on this machine. */
  adminKey: string;
  workerUrls: string[];
}

export interface StackOptions {
  /** Worker processes to run (each with its own thread pool). Default 1. */
  workers?: number;
  /** Show every Postgres/Redis log line, not just warnings. */
  verbose?: boolean;
  /** Run once the stack is healthy, then stop it (the demo). Without one, run until a signal. */
  task?: (urls: StackUrls) => Promise<void>;
}

/** Records the pids we started, so a run after a SIGKILLed supervisor can stop its leftovers. */
const ownershipPath = join(stateDir, 'processes.json');
const preferredPorts = { postgres: 5432, redis: 6379, api: 3000, worker: 3100 };
/** Workers finish their running chunks on SIGTERM; give them time before SIGKILL. */
const workerStopTimeoutMs = 30_000;
const apiStopTimeoutMs = 10_000;
const readyTimeoutMs = 180_000;

/**
 * Run the local stack in the foreground: Postgres and Redis (unless DATABASE_URL / REDIS_URL
 * point elsewhere), migrations, the API and the workers. Returns the process exit code once
 * everything it started has stopped: 0 after a clean stop, 1 when anything failed or crashed,
 * 130 when a task (the demo) was interrupted.
 */
export async function runStack(options: StackOptions = {}): Promise<number> {
  const log = prefixed('stack');
  const supervisor = new Supervisor(log);
  const abort = new AbortController();
  let stopSignal: NodeJS.Signals | undefined;
  let requestStop: () => void = () => {};
  const stopRequested = new Promise<void>((resolvePromise) => {
    requestStop = resolvePromise;
  });
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopSignal === undefined) {
      stopSignal = signal;
      log(`${signal}: stopping the stack (send it again to kill everything at once)`);
      abort.abort(new Error(`interrupted by ${signal}`));
      requestStop();
    } else {
      log(`${signal} again: killing every process of the stack now`);
      void supervisor.killAll();
    }
  };
  const handledSignals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  for (const signal of handledSignals) process.on(signal, onSignal);
  void supervisor.crashed.then((description) => abort.abort(new Error(description)));

  let exitCode = 0;
  let ownership: OwnershipFile | undefined;
  try {
    const env = readStackEnv();
    ownership = await claimStateDir(log);
    const started = Date.now();
    const urls = await startAll(env, options, supervisor, ownership, abort.signal);
    writeStackFile(stackFile, { ...urls, pids: pidsOf(supervisor), startedAt: new Date().toISOString() });
    printReady(log, urls, env, (Date.now() - started) / 1000);

    const never = new Promise<never>(() => {});
    const outcome = await Promise.race([
      stopRequested.then(() => 'stop' as const),
      supervisor.crashed.then(() => 'crash' as const),
      options.task ? options.task(urls).then(() => 'done' as const) : never,
    ]);
    if (outcome === 'crash') exitCode = 1;
    if (outcome === 'stop' && options.task) exitCode = 130;
  } catch (error) {
    if (stopSignal) {
      exitCode = options.task ? 130 : 0;
    } else {
      log(`failed: ${(error as Error).message}`);
      exitCode = 1;
    }
  } finally {
    // Only a stack that claimed .frontline/ may remove its file (not one refused for a running stack).
    if (ownership) removeStackFile(stackFile);
    try {
      await supervisor.shutdown();
      ownership?.clear();
      log('stopped');
    } catch (error) {
      log((error as Error).message);
      exitCode = 1;
    }
    for (const signal of handledSignals) process.off(signal, onSignal);
  }
  return exitCode;
}

/** One stack per checkout: refuse if one runs, clean up after one that was killed. */
async function claimStateDir(log: (line: string) => void): Promise<OwnershipFile> {
  // Readable so the unprivileged postgres user can reach its data; secrets inside are mode 600.
  mkdirSync(stateDir, { recursive: true });
  const owner = liveOwner(ownershipPath);
  if (owner !== undefined) {
    throw new Error(
      `a stack is already running from ${projectRoot} (pid ${owner}); see .frontline/stack.json`,
    );
  }
  await reclaimOrphans(ownershipPath, log);
  removeStackFile(stackFile);
  return new OwnershipFile(ownershipPath);
}

async function startAll(
  env: StackEnv,
  options: StackOptions,
  supervisor: Supervisor,
  ownership: OwnershipFile,
  signal: AbortSignal,
): Promise<StackUrls> {
  if (env.apiPort !== undefined && !(await isPortFree(env.apiPort))) {
    throw new Error(`API_PORT ${env.apiPort} is busy; unset API_PORT to take the first free port from 3000`);
  }
  const promisedPorts = new Set<number>();
  const track = (
    name: string,
    supervised: { process: ManagedProcess; stop(): Promise<void> },
    stop: NodeJS.Signals,
  ) => {
    supervisor.add(name, supervised);
    ownership.add(name, supervised.process.pid, stop);
  };

  let databaseUrl = env.databaseUrl;
  if (databaseUrl === undefined) {
    const postgres = await startPostgres({
      dataDir: postgresDataDir,
      passwordFile: postgresPasswordFile,
      database: 'frontline',
      preferredPort: preferredPorts.postgres,
      onLine: serverLines(prefixed('postgres'), options.verbose ?? false),
      signal,
    });
    track('postgres', postgres, 'SIGINT');
    databaseUrl = postgres.url;
  }
  signal.throwIfAborted();

  let redisUrl = env.redisUrl;
  if (redisUrl === undefined) {
    const redis = await startRedis({
      dir: redisDataDir,
      preferredPort: preferredPorts.redis,
      onLine: serverLines(prefixed('redis'), options.verbose ?? false),
      signal,
    });
    track('redis', redis, 'SIGTERM');
    redisUrl = redis.url;
  }
  signal.throwIfAborted();

  await migrate(databaseUrl);
  signal.throwIfAborted();
  const adminKey = await ensureAdminKey(databaseUrl, prefixed('stack'));
  await ensureDashboardBuilt(prefixed('stack'));
  signal.throwIfAborted();

  const apiPort =
    env.apiPort ?? (await findFreePort({ preferred: preferredPorts.api, exclude: promisedPorts }));
  promisedPorts.add(apiPort);
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const shared = { ...env.inherited, DATABASE_URL: databaseUrl, REDIS_URL: redisUrl };
  const api = await startApp({
    name: 'api',
    entry: apiEntry,
    env: { ...shared, API_HOST: '127.0.0.1', API_PORT: String(apiPort) },
    onLine: prefixed('api'),
  });
  track('api', { process: api, stop: () => api.stop('SIGTERM', apiStopTimeoutMs).then(() => {}) }, 'SIGTERM');

  const workers: { process: ManagedProcess; url: string }[] = [];
  for (let index = 1; index <= (options.workers ?? 1); index++) {
    const port = await findFreePort({ preferred: preferredPorts.worker, exclude: promisedPorts });
    promisedPorts.add(port);
    const name = `worker-${index}`;
    const worker = await startApp({
      name,
      entry: workerEntry,
      env: {
        ...shared,
        WORKER_PORT: String(port),
        ...(env.workerThreads ? { WORKER_THREADS: env.workerThreads } : {}),
      },
      onLine: prefixed(name),
    });
    track(
      name,
      { process: worker, stop: () => worker.stop('SIGTERM', workerStopTimeoutMs).then(() => {}) },
      'SIGTERM',
    );
    workers.push({ process: worker, url: `http://127.0.0.1:${port}` });
  }

  // Ready means the API reaches Postgres and Redis, and every worker answers.
  await Promise.all([
    waitUntil(() => httpOk(`${apiUrl}/readyz`), {
      what: `the API at ${apiUrl}/readyz`,
      timeoutMs: readyTimeoutMs,
      process: api,
      signal,
    }),
    ...workers.map((worker) =>
      waitUntil(() => httpOk(`${worker.url}/healthz`), {
        what: `${worker.process.name} at ${worker.url}/healthz`,
        timeoutMs: readyTimeoutMs,
        process: worker.process,
        signal,
      }),
    ),
  ]);
  return { apiUrl, databaseUrl, redisUrl, adminKey, workerUrls: workers.map((worker) => worker.url) };
}

function pidsOf(supervisor: Supervisor): Record<string, number> {
  return { supervisor: process.pid, ...supervisor.pids() };
}

/** The database password stays in .frontline/stack.json, not on the terminal. */
function maskPassword(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

function printReady(log: (line: string) => void, urls: StackUrls, env: StackEnv, seconds: number): void {
  const where = (dir: string) => relative(projectRoot, dir);
  log(`ready in ${seconds.toFixed(1)} s — API ${urls.apiUrl}`);
  log(`  API        ${urls.apiUrl}  (health: ${urls.apiUrl}/readyz)`);
  log(
    `  Postgres   ${maskPassword(urls.databaseUrl)}  ${env.databaseUrl ? '(DATABASE_URL)' : `(embedded, data in ${where(postgresDataDir)})`}`,
  );
  log(
    `  Redis      ${urls.redisUrl}  ${env.redisUrl ? '(REDIS_URL)' : `(redis-server, AOF in ${where(redisDataDir)})`}`,
  );
  urls.workerUrls.forEach((url, index) => {
    log(`  worker-${index + 1}   ${url}  (health: ${url}/healthz, metrics: ${url}/metrics)`);
  });
  log(`URLs in ${where(stackFile)}; Ctrl-C stops everything`);
}
