import { mkdirSync } from 'node:fs';
import { findFreePort } from './ports.js';
import { type LineSink, ManagedProcess } from './process-group.js';
import { redisCommand } from './redis-command.js';
import { ensureSystemPrograms, findExecutable, redisServer } from './system-packages.js';
import { ProcessExitedError, waitUntil } from './wait.js';

export interface RedisOptions {
  /** Where the append-only file lives; survives restarts. */
  dir: string;
  /** First port to try; busy ports are skipped. Default 6379. */
  preferredPort?: number;
  /** Ports already promised to other servers of this stack. */
  excludePorts?: ReadonlySet<number>;
  /** Each output line of redis-server (and install messages). */
  onLine?: LineSink;
  signal?: AbortSignal;
}

export interface RedisHandle {
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

const startAttempts = 5;

/** Start a redis-server child configured for BullMQ: noeviction, AOF, no RDB snapshots, loopback only. */
export async function startRedis(options: RedisOptions): Promise<RedisHandle> {
  const log = options.onLine ?? (() => {});
  ensureSystemPrograms([redisServer], log);
  const executable = findExecutable(redisServer.command);
  if (!executable) throw new Error('redis-server is not on PATH');
  mkdirSync(options.dir, { recursive: true });

  let preferred = options.preferredPort ?? 6379;
  for (let attempt = 1; ; attempt++) {
    const port = await findFreePort({ preferred, exclude: options.excludePorts });
    try {
      const server = await launch(executable, port, options);
      return new RedisServer(executable, port, options, server);
    } catch (error) {
      // Another process may take the port between our check and redis binding it: try the next one.
      const lostRace =
        error instanceof ProcessExitedError &&
        error.process.recentOutput.some((line) => line.includes('Address already in use'));
      if (!lostRace || attempt === startAttempts) throw error;
      preferred = port + 1;
    }
  }
}

function redisArgs(port: number, dir: string): string[] {
  return [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--protected-mode',
    'yes',
    '--daemonize',
    'no',
    // BullMQ needs every key kept: evicting a job key silently loses work.
    '--maxmemory-policy',
    'noeviction',
    '--appendonly',
    'yes',
    '--appendfsync',
    'everysec',
    '--dir',
    dir,
    // The AOF is the only persistence; no RDB snapshot forks.
    '--save',
    '',
    '--logfile',
    '',
  ];
}

async function launch(executable: string, port: number, options: RedisOptions): Promise<ManagedProcess> {
  const server = await ManagedProcess.spawn('redis', executable, redisArgs(port, options.dir), {
    cwd: options.dir,
    onLine: options.onLine,
  });
  const url = `redis://127.0.0.1:${port}`;
  try {
    await waitUntil(async () => (await redisCommand(url, ['PING'])) === 'PONG', {
      what: `redis on port ${port} to answer PING`,
      timeoutMs: 30_000,
      intervalMs: 100,
      process: server,
      signal: options.signal,
    });
  } catch (error) {
    await server.stop('SIGTERM', 5_000);
    throw error;
  }
  return server;
}

class RedisServer implements RedisHandle {
  readonly url: string;

  constructor(
    private readonly executable: string,
    readonly port: number,
    private readonly options: RedisOptions,
    private current: ManagedProcess,
  ) {
    this.url = `redis://127.0.0.1:${port}`;
  }

  get dir(): string {
    return this.options.dir;
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
    if (this.current.isRunning) throw new Error(`redis ${this.url} is still running`);
    this.current = await launch(this.executable, this.port, this.options);
  }
}
