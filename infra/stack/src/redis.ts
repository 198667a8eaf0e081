import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type PortHook, startOnFreePort } from './ports.js';
import { type LineSink, ManagedProcess } from './process-group.js';
import { redisCommand } from './redis-command.js';
import { ensureSystemPrograms, findExecutable, redisServer } from './system-packages.js';
import { waitUntil } from './wait.js';

export interface RedisOptions {
  /** Where the append-only file lives; survives restarts. */
  dir: string;
  /** First port to try; busy ports are skipped. Default 6379. */
  preferredPort?: number;
  /** Ports already promised to other servers of this stack. */
  excludePorts?: ReadonlySet<number>;
  /** Clients must AUTH with it (requirepass); default: a new random one. It ends up in `url`. */
  password?: string;
  /** Called with each port chosen, just before the server binds it (tests take it first). */
  beforeBind?: PortHook;
  /** Each output line of redis-server (and install messages). */
  onLine?: LineSink;
  signal?: AbortSignal;
}

export interface RedisHandle {
  /** redis://:<password>@127.0.0.1:<port> */
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  /** The running server's process; replaced by restart(). */
  readonly process: ManagedProcess;
  readonly pid: number;
  /** Graceful stop (SIGTERM: redis flushes the AOF), SIGKILL after 10 s. */
  stop(): Promise<void>;
  /** Crash it, for fault-injection tests. */
  kill9(): Promise<void>;
  /** Start it again on the same port and data dir, after stop() or kill9(). */
  restart(): Promise<void>;
}

/**
 * Start a redis-server child configured for BullMQ: noeviction, AOF, no RDB snapshots, loopback
 * only, a password, and its files readable by its owner alone.
 */
export async function startRedis(options: RedisOptions): Promise<RedisHandle> {
  const log = options.onLine ?? (() => {});
  ensureSystemPrograms([redisServer], log);
  const executable = findExecutable(redisServer.command);
  if (!executable) throw new Error('redis-server is not on PATH');
  const password = options.password ?? randomBytes(24).toString('base64url');
  const launcher = { executable, dir: options.dir, password, signal: options.signal, onLine: options.onLine };
  return startOnFreePort(
    {
      preferred: options.preferredPort ?? 6379,
      exclude: options.excludePorts,
      beforeBind: options.beforeBind,
      onLostRace: (port) =>
        options.onLine?.(`port ${port} was taken before redis could bind it; trying the next free port`),
    },
    async (port) => new RedisServer({ ...launcher, port }, await launch({ ...launcher, port })),
  );
}

/**
 * The data folder mode 700 and everything in it 600/700, also when an older run left it readable:
 * the append-only file holds every job (and a restart replays it).
 */
function ownerOnly(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tighten = (path: string) => {
    const stat = statSync(path);
    chmodSync(path, stat.isDirectory() ? 0o700 : 0o600);
    if (stat.isDirectory()) for (const name of readdirSync(path)) tighten(join(path, name));
  };
  tighten(dir);
}

interface Launcher {
  executable: string;
  port: number;
  dir: string;
  password: string;
  onLine?: LineSink;
  signal?: AbortSignal;
}

/** Settings go in a file (mode 600), not argv, so the password is not visible in `ps`. */
function redisConfig(port: number, dir: string, password: string): string {
  const settings: [string, string][] = [
    ['port', String(port)],
    ['bind', '127.0.0.1'],
    ['protected-mode', 'yes'],
    ['daemonize', 'no'],
    ['requirepass', password],
    // BullMQ needs every key kept: evicting a job key silently loses work.
    ['maxmemory-policy', 'noeviction'],
    ['appendonly', 'yes'],
    ['appendfsync', 'everysec'],
    ['dir', dir],
    // The AOF is the only persistence; no RDB snapshot forks.
    ['save', ''],
    ['logfile', ''],
  ];
  return settings.map(([name, value]) => `${name} ${JSON.stringify(value)}\n`).join('');
}

function redisUrl(port: number, password: string): string {
  return `redis://:${encodeURIComponent(password)}@127.0.0.1:${port}`;
}

async function launch(launcher: Launcher): Promise<ManagedProcess> {
  const { executable, port, dir, password } = launcher;
  ownerOnly(dir);
  const configFile = join(dir, 'redis.conf');
  rmSync(configFile, { force: true }); // a fresh file gets mode 600
  writeFileSync(configFile, redisConfig(port, dir, password), { mode: 0o600 });
  // redis-server has no umask setting; its AOF would be world-readable under the usual 022.
  const server = await ManagedProcess.spawn(
    'redis',
    'sh',
    ['-c', 'umask 077 && exec "$0" "$@"', executable, configFile],
    { cwd: dir, onLine: launcher.onLine },
  );
  const url = redisUrl(port, password);
  try {
    await waitUntil(async () => (await redisCommand(url, ['PING'])) === 'PONG', {
      what: `redis on port ${port} to answer PING`,
      timeoutMs: 30_000,
      intervalMs: 100,
      process: server,
      signal: launcher.signal,
    });
  } catch (error) {
    await server.stop('SIGTERM', 5_000);
    throw error;
  }
  return server;
}

class RedisServer implements RedisHandle {
  readonly url: string;
  readonly port: number;
  readonly dir: string;

  constructor(
    private readonly launcher: Launcher,
    private current: ManagedProcess,
  ) {
    this.url = redisUrl(launcher.port, launcher.password);
    this.port = launcher.port;
    this.dir = launcher.dir;
  }

  get process(): ManagedProcess {
    return this.current;
  }

  get pid(): number {
    return this.current.pid;
  }

  async stop(): Promise<void> {
    await this.current.stop('SIGTERM', 10_000);
  }

  async kill9(): Promise<void> {
    await this.current.kill9();
  }

  async restart(): Promise<void> {
    if (this.current.isRunning) throw new Error(`redis on port ${this.port} is still running`);
    this.current = await launch(this.launcher);
  }
}
