import { chmodSync, mkdirSync } from 'node:fs';
import { relative } from 'node:path';
import { appRole, migrate } from '@frontline/db';
import { kernelNodeFlags } from '@frontline/sim';
import { ensureAdminKey } from './admin-key.js';
import { grantAppLogin, newPassword } from './app-role.js';
import { type ServedApp, startServedApp } from './apps.js';
import { ensureDashboardBuilt } from './dashboard.js';
import { readStackEnv, type StackEnv } from './env.js';
import { prefixed, serverLines } from './output.js';
import { liveOwner, OwnershipFile, reclaimOrphans } from './owned-processes.js';
import { apiEntry, dashboardDir, projectRoot, type StackPaths, stackPaths, workerEntry } from './paths.js';
import { isPortFree } from './ports.js';
import { startPostgres } from './postgres.js';
import type { ManagedProcess } from './process-group.js';
import { startRedis } from './redis.js';
import { readOrCreateSecret } from './secret-file.js';
import { removeStackFile, writeStackFile } from './stack-file.js';
import { defaultRestartPolicy, type RestartPolicy, type Supervised, Supervisor } from './supervisor.js';

export interface StackUrls {
  apiUrl: string;
  /** The owner's login (migrations, keys); absent when the stack was given only APP_DATABASE_URL. */
  databaseUrl?: string;
  /** The app role's login: what the API and workers use. */
  appDatabaseUrl: string;
  /** With the Redis password. */
  redisUrl: string;
  /** Admin API key of tenant "default", for the CLI and scripts on this machine (needs the owner). */
  adminKey?: string;
  workerUrls: string[];
}

export interface PreferredPorts {
  postgres: number;
  redis: number;
  api: number;
  worker: number;
}

export interface StackOptions {
  /** Worker processes to run (each with its own thread pool). Default 1. */
  workers?: number;
  /** Show every Postgres/Redis log line, not just warnings. */
  verbose?: boolean;
  /** Run once the stack is healthy, then stop it (the demo). Without one, run until a signal. */
  task?: (urls: StackUrls) => Promise<void>;
  /** Where state lives (default: `.frontline/` of the checkout; tests use a scratch folder). */
  stateDir?: string;
  /** The environment to read (default: process.env). */
  env?: NodeJS.ProcessEnv;
  /** First ports to try (default 5432, 6379, 3000, 3100). */
  ports?: Partial<PreferredPorts>;
  /** Where output goes (default: stdout). */
  print?: (text: string) => void;
  /** Test seam: told each service's chosen port just before the service binds it. */
  beforeBind?: (service: string, port: number) => Promise<void>;
  /** How often a crashed API or worker is restarted before the stack gives up. */
  restartPolicy?: RestartPolicy;
}

const defaultPorts: PreferredPorts = { postgres: 5432, redis: 6379, api: 3000, worker: 3100 };
/** Workers finish their running chunks on SIGTERM; give them time before SIGKILL. */
const workerStopTimeoutMs = 30_000;
const apiStopTimeoutMs = 10_000;
const readyTimeoutMs = 180_000;

/**
 * Run the local stack in the foreground: Postgres and Redis (unless DATABASE_URL / REDIS_URL
 * point elsewhere), migrations, the API and the workers. A crashed API or worker is restarted with
 * backoff; Postgres or Redis dying, or an app crashing too often, stops the stack. Returns the
 * process exit code once everything it started has stopped: 0 after a clean stop, 1 when anything
 * failed or crashed, 130 when a task (the demo) was interrupted.
 */
export async function runStack(options: StackOptions = {}): Promise<number> {
  const out = (name: string) => prefixed(name, options.print);
  const log = out('stack');
  const paths = stackPaths(options.stateDir);
  let ownership: OwnershipFile | undefined;
  let running: RunningApps | undefined;
  let published: { urls: StackUrls; startedAt: string } | undefined;
  const publish = () => {
    if (!published || !running) return;
    const urls = {
      ...published.urls,
      apiUrl: running.api.url,
      workerUrls: running.workers.map((w) => w.url),
    };
    writeStackFile(paths.stackFile, { ...urls, pids: pidsOf(supervisor), startedAt: published.startedAt });
  };
  const supervisor = new Supervisor(
    log,
    options.restartPolicy ?? defaultRestartPolicy,
    (name, previous, next) => {
      ownership?.remove(previous.process.pid);
      ownership?.add(name, next.process.pid, 'SIGTERM');
      running?.replace(name, next as ServedApp);
      publish();
    },
  );
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
  try {
    const env = readStackEnv(options.env);
    ownership = await claimStateDir(paths, log);
    const started = Date.now();
    const context = { env, options, paths, out, supervisor, ownership, signal: abort.signal };
    const { urls, apps } = await startAll(context);
    running = apps;
    published = { urls, startedAt: new Date().toISOString() };
    publish();
    printReady(log, urls, env, paths, (Date.now() - started) / 1000);

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
    published = undefined;
    if (ownership) removeStackFile(paths.stackFile);
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
async function claimStateDir(paths: StackPaths, log: (line: string) => void): Promise<OwnershipFile> {
  mkdirSync(paths.stateDir, { recursive: true });
  // Ours alone; as root, the unprivileged postgres user may pass through (no listing) to its data.
  chmodSync(paths.stateDir, process.getuid?.() === 0 ? 0o711 : 0o700);
  const owner = liveOwner(paths.ownershipFile);
  if (owner !== undefined) {
    throw new Error(
      `a stack is already running from ${paths.stateDir} (pid ${owner}); see ${paths.stackFile}`,
    );
  }
  await reclaimOrphans(paths.ownershipFile, log);
  removeStackFile(paths.stackFile);
  return new OwnershipFile(paths.ownershipFile);
}

interface StartContext {
  env: StackEnv;
  options: StackOptions;
  paths: StackPaths;
  out: (name: string) => (line: string) => void;
  supervisor: Supervisor;
  ownership: OwnershipFile;
  signal: AbortSignal;
}

/** The API and workers as they run now (a restart may move one to another port). */
interface RunningApps {
  api: ServedApp;
  workers: ServedApp[];
  replace(name: string, next: ServedApp): void;
}

async function startAll(context: StartContext): Promise<{ urls: StackUrls; apps: RunningApps }> {
  const { env, options, paths, out, supervisor, ownership, signal } = context;
  const ports = { ...defaultPorts, ...options.ports };
  const beforeBind = (service: string) =>
    options.beforeBind
      ? (port: number) => (options.beforeBind as NonNullable<typeof options.beforeBind>)(service, port)
      : undefined;
  if (env.apiPort !== undefined && !(await isPortFree(env.apiPort))) {
    throw new Error(`API_PORT ${env.apiPort} is busy; unset API_PORT to take the first free port from 3000`);
  }
  const promisedPorts = new Set<number>();
  const track = (name: string, supervised: Supervised, stop: NodeJS.Signals) => {
    supervisor.add(name, supervised);
    ownership.add(name, supervised.process.pid, stop);
  };

  let ownerUrl = env.databaseUrl;
  if (ownerUrl === undefined && env.appDatabaseUrl === undefined) {
    const postgres = await startPostgres({
      dataDir: paths.postgresDataDir,
      passwordFile: paths.postgresPasswordFile,
      database: 'frontline',
      preferredPort: ports.postgres,
      excludePorts: promisedPorts,
      beforeBind: beforeBind('postgres'),
      onLine: serverLines(out('postgres'), options.verbose ?? false),
      signal,
    });
    track('postgres', postgres, 'SIGINT');
    promisedPorts.add(postgres.port);
    ownerUrl = postgres.url;
  }
  signal.throwIfAborted();

  let redisUrl = env.redisUrl;
  if (redisUrl === undefined) {
    const redis = await startRedis({
      dir: paths.redisDataDir,
      preferredPort: ports.redis,
      excludePorts: promisedPorts,
      beforeBind: beforeBind('redis'),
      onLine: serverLines(out('redis'), options.verbose ?? false),
      signal,
    });
    track('redis', redis, 'SIGTERM');
    promisedPorts.add(redis.port);
    redisUrl = redis.url;
  }
  signal.throwIfAborted();

  // The owner migrates and makes the admin key; the apps log in as the app role only.
  let appUrl = env.appDatabaseUrl;
  let adminKey: string | undefined;
  if (ownerUrl !== undefined) {
    await migrate(ownerUrl);
    signal.throwIfAborted();
    appUrl = await grantAppLogin(ownerUrl, appPassword(env, paths));
    if (env.appDatabaseUrl) appUrl = env.appDatabaseUrl; // its host may differ from the owner's
    adminKey = await ensureAdminKey(ownerUrl, paths.adminKeyFile, out('stack'));
  }
  if (appUrl === undefined) throw new Error('unreachable: no database for the apps');
  await ensureDashboardBuilt(out('stack'));
  signal.throwIfAborted();

  const shared = { ...env.inherited, DATABASE_URL: appUrl, REDIS_URL: redisUrl };
  const onSpawned = (name: string) => (child: ManagedProcess) => ownership.add(name, child.pid, 'SIGTERM');
  const apiSpec = {
    name: 'api',
    entry: apiEntry,
    env: (port: number) => ({
      ...shared,
      API_HOST: '127.0.0.1',
      API_PORT: String(port),
      DASHBOARD_DIR: dashboardDir,
    }),
    preferredPort: env.apiPort ?? ports.api,
    fixedPort: env.apiPort !== undefined,
    promisedPorts,
    readyPath: '/readyz',
    readyTimeoutMs,
    stopTimeoutMs: apiStopTimeoutMs,
    onLine: out('api'),
    onSpawned: onSpawned('api'),
    beforeBind: beforeBind('api'),
    log: out('stack'),
  };
  const workerSpec = (index: number) => ({
    name: `worker-${index}`,
    entry: workerEntry,
    nodeFlags: kernelNodeFlags,
    env: (port: number) => ({
      ...shared,
      WORKER_PORT: String(port),
      ...(env.workerThreads ? { WORKER_THREADS: env.workerThreads } : {}),
    }),
    preferredPort: ports.worker,
    promisedPorts,
    readyPath: '/healthz',
    readyTimeoutMs,
    stopTimeoutMs: workerStopTimeoutMs,
    onLine: out(`worker-${index}`),
    onSpawned: onSpawned(`worker-${index}`),
    beforeBind: beforeBind(`worker-${index}`),
    log: out('stack'),
  });
  /** A crashed app comes back on its old port when that is still free. */
  const restartOf = (spec: typeof apiSpec | ReturnType<typeof workerSpec>, current: () => ServedApp) => {
    return (restartSignal: AbortSignal) => {
      const { port } = current();
      promisedPorts.delete(port);
      return startServedApp({ ...spec, preferredPort: port }, restartSignal);
    };
  };

  // Ready means the API reaches Postgres and Redis, and every worker answers.
  const workerCount = options.workers ?? 1;
  const [api, ...workers] = await Promise.all([
    startServedApp(apiSpec, signal),
    ...Array.from({ length: workerCount }, (_, i) => startServedApp(workerSpec(i + 1), signal)),
  ]);
  if (!api) throw new Error('unreachable: no API');
  const apps: RunningApps = {
    api,
    workers,
    replace(name, next) {
      if (name === 'api') this.api = next;
      const index = Number(name.replace(/^worker-/, '')) - 1;
      if (name.startsWith('worker-')) this.workers[index] = next;
    },
  };
  supervisor.add(
    'api',
    api,
    restartOf(apiSpec, () => apps.api),
  );
  workers.forEach((worker, i) => {
    supervisor.add(
      `worker-${i + 1}`,
      worker,
      restartOf(workerSpec(i + 1), () => apps.workers[i] ?? worker),
    );
  });
  const urls: StackUrls = {
    apiUrl: api.url,
    databaseUrl: ownerUrl,
    appDatabaseUrl: appUrl,
    redisUrl,
    adminKey,
    workerUrls: workers.map((worker) => worker.url),
  };
  return { urls, apps };
}

/**
 * The app role's password: APP_DATABASE_URL's when given (so every machine sets the same one),
 * else one generated at first start and kept in `.frontline/app-password` (mode 600).
 */
function appPassword(env: StackEnv, paths: StackPaths): string {
  if (env.appDatabaseUrl) {
    const url = new URL(env.appDatabaseUrl);
    if (decodeURIComponent(url.username) !== appRole) {
      throw new Error(`APP_DATABASE_URL must log in as ${appRole}, not ${url.username}`);
    }
    return decodeURIComponent(url.password);
  }
  return readOrCreateSecret(paths.appPasswordFile, newPassword);
}

function pidsOf(supervisor: Supervisor): Record<string, number> {
  return { supervisor: process.pid, ...supervisor.pids() };
}

/** Passwords stay in .frontline/stack.json, not on the terminal. */
function maskPassword(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

function printReady(
  log: (line: string) => void,
  urls: StackUrls,
  env: StackEnv,
  paths: StackPaths,
  seconds: number,
): void {
  const where = (dir: string) => relative(projectRoot, dir) || dir;
  const external = env.databaseUrl ? '(DATABASE_URL)' : '(APP_DATABASE_URL)';
  log(`ready in ${seconds.toFixed(1)} s — API ${urls.apiUrl}`);
  log(`  API        ${urls.apiUrl}  (health: ${urls.apiUrl}/readyz)`);
  log(
    `  Postgres   ${maskPassword(urls.appDatabaseUrl)}  ${env.databaseUrl || env.appDatabaseUrl ? external : `(embedded, data in ${where(paths.postgresDataDir)})`}; apps log in as ${appRole}`,
  );
  log(
    `  Redis      ${maskPassword(urls.redisUrl)}  ${env.redisUrl ? '(REDIS_URL)' : `(redis-server, AOF in ${where(paths.redisDataDir)})`}`,
  );
  urls.workerUrls.forEach((url, index) => {
    log(`  worker-${index + 1}   ${url}  (health: ${url}/healthz, metrics: ${url}/metrics)`);
  });
  log(
    `URLs and passwords in ${where(paths.stackFile)}; a crashed API or worker is restarted; Ctrl-C stops everything`,
  );
}
