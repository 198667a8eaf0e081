import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createApiKey } from '@frontline/db';
import { chunkQueueName } from '@frontline/queue';
import {
  apiEntry,
  appDatabaseUrl,
  ensureReachable,
  ManagedProcess,
  makeScratchDir,
  newPassword,
  postgresBinaries,
  postgresServerUser,
  projectRoot,
  sourceNodeFlags,
  workerEntry,
} from '@frontline/stack';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';
import { createNetwork, type Network } from './network.js';

const execFileAsync = promisify(execFile);
const relayScript = join(projectRoot, 'infra', 'multihost', 'test', 'support', 'relay.ts');
const postgresPort = 5432;
const redisPort = 6379;
const apiPort = 8080;

/** A process running on one of the hosts, with its output kept for waiting on and for failures. */
export class HostProcess {
  private output = '';
  private waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];

  private constructor(
    readonly host: string,
    readonly managed: ManagedProcess,
  ) {}

  static async start(host: string, ns: string, command: readonly string[], env: NodeJS.ProcessEnv) {
    let process: HostProcess | undefined;
    const pending: string[] = [];
    const managed = await ManagedProcess.spawn(host, 'ip', ['netns', 'exec', ns, ...command], {
      cwd: projectRoot,
      env,
      onLine: (line) => (process ? process.take(line) : pending.push(line)),
    });
    process = new HostProcess(host, managed);
    for (const line of pending) process.take(line);
    return process;
  }

  private take(line: string): void {
    this.output += `${line}\n`;
    for (const waiter of [...this.waiters]) {
      if (!waiter.pattern.test(line)) continue;
      this.waiters.splice(this.waiters.indexOf(waiter), 1);
      waiter.resolve(line);
    }
  }

  get log(): string {
    return this.output;
  }

  /** Resolves with the first output line matching `pattern`. */
  waitForLog(pattern: RegExp, timeoutMs = 60_000): Promise<string> {
    const seen = this.output.split('\n').find((line) => pattern.test(line));
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(`${this.host} logged no ${pattern} in ${timeoutMs} ms:\n${this.output.slice(-3000)}`),
          ),
        timeoutMs,
      );
      void this.managed.exited.then((status) =>
        reject(new Error(`${this.host} exited (${JSON.stringify(status)}):\n${this.output.slice(-3000)}`)),
      );
      this.waiters.push({
        pattern,
        resolve: (line) => {
          clearTimeout(timer);
          resolve(line);
        },
      });
    });
  }
}

export interface WorkerHostOptions {
  processes?: number;
  threads?: number;
  /** Reach Postgres and Redis through the proxy host (with its added latency) instead of directly. */
  viaProxy?: boolean;
}

export interface ClusterOptions {
  /** BullMQ job lock of every worker (JOB_LOCK_MS): a dead host's chunks are retried after about this long. */
  jobLockMs: number;
  /**
   * The app role's idle_in_transaction_session_timeout (60 s by migration 0019), set as a deployment
   * would: how long the session of a worker cut off mid-transaction keeps its locks.
   */
  idleInTransactionMs?: number;
  /** Worker hosts to make now (more can join later with startWorkerHost). */
  workerHosts: readonly string[];
  log?: (line: string) => void;
}

export type Cluster = Awaited<ReturnType<typeof startCluster>>;

/**
 * A data host (Postgres with password logins on its address, Redis with a password), an api host,
 * a proxy host and worker hosts, each a namespace of `createNetwork`. Apps get only their own
 * environment. The test reaches Postgres, Redis and the API through Unix sockets in a scratch
 * folder, so the root namespace sends no IP traffic of its own.
 */
export async function startCluster(options: ClusterOptions) {
  const log = options.log ?? (() => {});
  const network = createNetwork(['data', 'api', 'proxy', ...options.workerHosts]);
  const scratch = makeScratchDir();
  const processes: HostProcess[] = [];
  const closers: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const close of closers.splice(0).reverse()) await close().catch(() => {});
    for (const process of processes.splice(0).reverse()) await process.managed.kill9().catch(() => {});
    network.remove();
    rmSync(scratch, { recursive: true, force: true });
  };
  try {
    const data = network.host('data');
    const postgres = await startDataPostgres(network, scratch, processes, log);
    const redisPassword = randomBytes(18).toString('base64url');
    const redisSocket = await startDataRedis(network, scratch, redisPassword, processes);

    const ownerPool = new pg.Pool({ ...postgres.ownerLogin, max: 4 });
    closers.push(() => ownerPool.end());
    // Before any app process logs in: a role's settings are read at login.
    if (options.idleInTransactionMs !== undefined)
      await ownerPool.query(
        `alter role frontline_app set idle_in_transaction_session_timeout = ${Math.trunc(options.idleInTransactionMs)}`,
      );
    const redis = new Redis({ path: redisSocket, password: redisPassword, maxRetriesPerRequest: null });
    closers.push(async () => redis.disconnect());
    const queuePrefix = `mh${randomBytes(3).toString('hex')}`;
    const queue = new Queue(chunkQueueName, { connection: redis, prefix: queuePrefix });
    closers.push(() => queue.close());

    const appUrlAt = (address: string) =>
      appDatabaseUrl(`postgres://x@${address}:${postgresPort}/frontline`, postgres.appPassword);
    const redisUrlAt = (address: string) => `redis://:${redisPassword}@${address}:${redisPort}`;
    const appEnv = (vars: Record<string, string>): NodeJS.ProcessEnv => ({
      PATH: process.env.PATH,
      LOG_LEVEL: 'info',
      QUEUE_PREFIX: queuePrefix,
      ...vars,
    });

    const api = network.host('api');
    const apiProcess = await HostProcess.start(
      'api',
      api.ns,
      [process.execPath, ...sourceNodeFlags, apiEntry],
      appEnv({
        DATABASE_URL: appUrlAt(data.address),
        REDIS_URL: redisUrlAt(data.address),
        API_HOST: api.address,
        API_PORT: String(apiPort),
        RECONCILE_INTERVAL_MS: '2000',
      }),
    );
    processes.push(apiProcess);
    const apiSocket = join(scratch, 'api.sock');
    processes.push(await startRelay(network, 'api', apiSocket, `${api.address}:${apiPort}`, 0));
    const apiKey = (
      await createApiKey(ownerPool, { tenantId: 'multihost', role: 'operator', name: 'multihost test' })
    ).token;
    const callApi = (method: string, path: string, body?: unknown) =>
      unixHttp(apiSocket, method, path, apiKey, body === undefined ? undefined : JSON.stringify(body));
    await waitFor(
      'the api host to be ready',
      async () => (await callApi('GET', '/readyz').catch(() => undefined))?.status === 200,
    );

    let proxyProcesses: HostProcess[] = [];
    const workerHosts = new Map<string, HostProcess[]>();

    const cluster = {
      network,
      ownerPool,
      redis,
      queue,
      queuePrefix,
      apiProcess,
      /** An API request as the operator key; the body parsed when it is JSON. */
      async request(method: string, path: string, body?: unknown) {
        const { status, text } = await callApi(method, path, body);
        let parsed: unknown = text;
        try {
          parsed = text ? JSON.parse(text) : undefined;
        } catch {
          // not JSON (an export)
        }
        return { status, body: parsed as Record<string, unknown> & unknown[], text };
      },
      async submit(spec: unknown): Promise<string> {
        const { status, body } = await cluster.request('POST', '/v1/sweeps', spec);
        if (status !== 202) throw new Error(`submit failed: ${status} ${JSON.stringify(body)}`);
        return String(body.id);
      },
      async sweep(id: string) {
        const { body } = await cluster.request('GET', `/v1/sweeps/${id}`);
        return body as unknown as SweepView;
      },
      async waitForSweep(
        id: string,
        until: (sweep: SweepView) => boolean,
        timeoutMs = 240_000,
        pollMs = 100,
      ) {
        let last: SweepView | undefined;
        await waitFor(
          `sweep ${id}`,
          async () => {
            last = await cluster.sweep(id);
            return until(last);
          },
          timeoutMs,
          () => JSON.stringify(last),
          pollMs,
        );
        return last as SweepView;
      },
      /** The sweep's outcomes exported by the API (NDJSON), as the public contract shows them. */
      async exportOutcomes(id: string): Promise<string> {
        const { status, text } = await callApi('GET', `/v1/sweeps/${id}/outcomes?format=ndjson`);
        if (status !== 200) throw new Error(`export failed: ${status} ${text.slice(0, 500)}`);
        return text;
      },
      /** (Re)start the proxy host's relays to the data host, holding each byte `delayMs` per direction. */
      async startProxy(delayMs: number) {
        for (const relay of proxyProcesses) await relay.managed.stop('SIGTERM', 5_000);
        const proxy = network.host('proxy');
        proxyProcesses = [
          await startRelay(
            network,
            'proxy',
            `${proxy.address}:${postgresPort}`,
            `${data.address}:${postgresPort}`,
            delayMs,
          ),
          await startRelay(
            network,
            'proxy',
            `${proxy.address}:${redisPort}`,
            `${data.address}:${redisPort}`,
            delayMs,
          ),
        ];
        processes.push(...proxyProcesses);
      },
      /** Round trips the proxy host has relayed so far, to Postgres and to Redis (its relays' turn counters). */
      async proxyTurns() {
        const counts = [];
        for (const relay of proxyProcesses) {
          const before = relay.log.length;
          process.kill(relay.managed.pid, 'SIGUSR2');
          await waitFor('relay turns', async () => /relay turns \d+/.test(relay.log.slice(before)));
          counts.push(Number(/relay turns (\d+)/.exec(relay.log.slice(before))?.[1]));
        }
        const [postgres = 0, redis = 0] = counts;
        return { postgres, redis };
      },
      /** Start worker processes on a host (made now if new); each sees the host's name as its hostname. */
      async startWorkerHost(name: string, hostOptions: WorkerHostOptions = {}) {
        const host = network.hosts.get(name) ?? network.addHost(name);
        const target = hostOptions.viaProxy ? network.host('proxy').address : data.address;
        const started: HostProcess[] = [];
        for (let i = 0; i < (hostOptions.processes ?? 1); i++) {
          const worker = await HostProcess.start(
            name,
            host.ns,
            // A UTS namespace of its own, so the worker's hostname() (its provenance) names the host.
            [
              'unshare',
              '--uts',
              'sh',
              '-c',
              'hostname "$0" && exec "$@"',
              name,
              process.execPath,
              ...sourceNodeFlags,
              workerEntry,
            ],
            appEnv({
              DATABASE_URL: appUrlAt(target),
              REDIS_URL: redisUrlAt(target),
              WORKER_THREADS: String(hostOptions.threads ?? 1),
              WORKER_PORT: '-1',
              JOB_LOCK_MS: String(options.jobLockMs),
              SHUTDOWN_GRACE_MS: '60000',
            }),
          );
          processes.push(worker);
          started.push(worker);
        }
        await Promise.all(started.map((worker) => worker.waitForLog(/worker ready/)));
        workerHosts.set(name, [...(workerHosts.get(name) ?? []), ...started]);
        return started;
      },
      workerProcesses: (name: string) => workerHosts.get(name) ?? [],
      /** The whole host dies: SIGKILL every process in its namespace at once. */
      killHost(name: string) {
        for (const pid of network.pids(name)) process.kill(pid, 'SIGKILL');
      },
      /** Chunk jobs running now on each host (BullMQ records the worker's name, which holds its hostname). */
      async activeJobsByHost(): Promise<Map<string, string[]>> {
        const byHost = new Map<string, string[]>();
        for (const job of await queue.getActive()) {
          if (!job.processedBy || !job.id) continue;
          const { host } = JSON.parse(job.processedBy) as { host: string };
          byHost.set(host, [...(byHost.get(host) ?? []), job.id]);
        }
        return byHost;
      },
      stop,
    };
    return cluster;
  } catch (error) {
    await stop();
    throw error;
  }
}

export interface SweepView {
  id: string;
  status: string;
  points: number;
  patients: number;
  progress: { done: number; total: number };
  workers: { host: string; chunks: number }[];
}

/** Postgres on the data host: scram logins from the subnet, plus a Unix socket for the test's owner login. */
async function startDataPostgres(
  network: Network,
  scratch: string,
  processes: HostProcess[],
  log: (line: string) => void,
) {
  const binaries = await postgresBinaries();
  const user = postgresServerUser(log);
  if (!user) throw new Error('the multi-host test runs as root (ip netns)');
  const dataDir = join(scratch, 'postgres');
  const socketDir = join(scratch, 'postgres-socket');
  mkdirSync(dataDir, { mode: 0o700 });
  mkdirSync(socketDir, { mode: 0o700 });
  chownSync(dataDir, user.uid, user.gid);
  chownSync(socketDir, user.uid, user.gid);
  ensureReachable(binaries.postgres, user, log);
  const password = newPassword();
  const passwordFile = join(scratch, 'postgres-password');
  writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
  chownSync(passwordFile, user.uid, user.gid);
  await execFileAsync(
    binaries.initdb,
    [
      `--pgdata=${dataDir}`,
      '--username=postgres',
      `--pwfile=${passwordFile}`,
      '--auth=scram-sha-256',
      '--encoding=UTF8',
      '--locale=C',
      '--no-instructions',
      '--no-sync',
    ],
    { cwd: dataDir, env: { PATH: process.env.PATH, LC_ALL: 'C' }, ...user },
  );
  rmSync(passwordFile);
  // Password logins only: the test's owner over the socket, the apps from the hosts' subnet.
  writeFileSync(
    join(dataDir, 'pg_hba.conf'),
    `local all all scram-sha-256\nhost all all ${network.subnet} scram-sha-256\n`,
  );
  const data = network.host('data');
  const settings = {
    listen_addresses: data.address,
    unix_socket_directories: socketDir,
    // A throwaway cluster (as the test stack's): commits reach the OS, no fsync.
    fsync: 'off',
    full_page_writes: 'off',
    max_connections: '300',
  };
  const args = ['-D', dataDir, '-p', String(postgresPort)];
  for (const [name, value] of Object.entries(settings)) args.push('-c', `${name}=${value}`);
  processes.push(
    await HostProcess.start(
      'postgres',
      data.ns,
      ['setpriv', `--reuid=${user.uid}`, `--regid=${user.gid}`, '--clear-groups', binaries.postgres, ...args],
      { PATH: process.env.PATH, LC_ALL: 'C' },
    ),
  );
  const login = (database: string) => ({
    host: socketDir,
    port: postgresPort,
    user: 'postgres',
    password,
    database,
  });
  await waitFor('postgres on the data host', async () => {
    const client = new pg.Client(login('postgres'));
    client.on('error', () => {});
    try {
      await client.connect();
      await client.query('create database frontline');
      return true;
    } catch {
      return false;
    } finally {
      await client.end().catch(() => {});
    }
  });
  // Migrate as the owner (over the socket: `host` in the query string), and give the app role its password.
  const appPassword = newPassword();
  const ownerUrl = `postgres://postgres:${password}@localhost:${postgresPort}/frontline?host=${encodeURIComponent(socketDir)}`;
  await execFileAsync(
    process.execPath,
    [...sourceNodeFlags, join(projectRoot, 'infra', 'stack', 'src', 'migrate-cli.ts')],
    {
      cwd: projectRoot,
      env: {
        PATH: process.env.PATH,
        DATABASE_URL: ownerUrl,
        APP_DATABASE_URL: appDatabaseUrl(ownerUrl, appPassword),
      },
    },
  );
  return { ownerLogin: login('frontline'), appPassword };
}

/** Redis on the data host: its address with a password, and a Unix socket for the test. */
async function startDataRedis(network: Network, scratch: string, password: string, processes: HostProcess[]) {
  const dir = join(scratch, 'redis');
  mkdirSync(dir, { mode: 0o700 });
  const socket = join(dir, 'redis.sock');
  const config = [
    `port ${redisPort}`,
    `bind ${network.host('data').address}`,
    'protected-mode yes',
    `requirepass ${password}`,
    `unixsocket ${socket}`,
    'unixsocketperm 700',
    'maxmemory-policy noeviction',
    'appendonly no',
    'save ""',
    `dir ${dir}`,
  ].join('\n');
  const configFile = join(dir, 'redis.conf');
  writeFileSync(configFile, `${config}\n`, { mode: 0o600 });
  const server = await HostProcess.start('redis', network.host('data').ns, ['redis-server', configFile], {
    PATH: process.env.PATH,
  });
  processes.push(server);
  await server.waitForLog(/Ready to accept connections/, 30_000);
  return socket;
}

async function startRelay(
  network: Network,
  hostName: string,
  listen: string,
  target: string,
  delayMs: number,
) {
  const relay = await HostProcess.start(
    `${hostName} relay`,
    network.host(hostName).ns,
    [process.execPath, '--import', 'tsx', relayScript, listen, target, String(delayMs)],
    { PATH: process.env.PATH },
  );
  await relay.waitForLog(/relay ready/, 30_000);
  return relay;
}

function unixHttp(socketPath: string, method: string, path: string, key: string, body?: string) {
  return new Promise<{ status: number; text: string }>((resolve, reject) => {
    const request = httpRequest(
      {
        socketPath,
        method,
        path,
        headers: {
          authorization: `Bearer ${key}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
      },
      (response) => {
        const pieces: Buffer[] = [];
        response.on('data', (piece: Buffer) => pieces.push(piece));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, text: Buffer.concat(pieces).toString() }),
        );
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

export async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs = 60_000,
  detail: () => string = () => '',
  pollMs = 100,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} ${detail()}`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
