import { chownSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { childEnv } from './env.js';
import { startOnFreePort } from './ports.js';
import { ensureReachable, postgresServerUser } from './postgres-user.js';
import { ManagedProcess } from './process-group.js';
import { findExecutable, pgbouncer } from './system-packages.js';
import { waitUntil } from './wait.js';

export interface PgbouncerOptions {
  /** Scratch folder for its config and user list (created; the caller removes it). */
  dir: string;
  /** The server it pools: a login (the app role's URL) whose user and password clients also use. */
  serverUrl: string;
  /** Server connections per (database, user): the pool that clients' transactions share. */
  poolSize: number;
  preferredPort: number;
  onLine?: (line: string) => void;
}

export interface PgbouncerHandle {
  /** `serverUrl` with pgbouncer's host and port: what clients put in DATABASE_URL. */
  readonly url: string;
  readonly port: number;
  readonly process: ManagedProcess;
  stop(): Promise<void>;
}

/**
 * A pgbouncer in transaction pooling mode in front of `serverUrl` (Debian package `pgbouncer`): each
 * client transaction borrows one of `poolSize` server connections and gives it back at commit, so
 * consecutive transactions of one client may run on different server connections, and one server
 * connection serves many clients. Clients log in with the server login's own user and password
 * (SCRAM; pgbouncer keeps the password in its user list and logs in to Postgres with it).
 */
export async function startPgbouncer(options: PgbouncerOptions): Promise<PgbouncerHandle> {
  // Debian installs it in /usr/sbin, which a non-root PATH may lack.
  const executable = findExecutable(pgbouncer.command) ?? findExecutable(pgbouncer.command, '/usr/sbin');
  if (!executable)
    throw new Error(`${pgbouncer.command} not found: install the Debian package ${pgbouncer.debianPackage}`);
  const server = new URL(options.serverUrl);
  const user = decodeURIComponent(server.username);
  const password = decodeURIComponent(server.password);
  // pgbouncer refuses to run as root: as root, run it as Postgres' unprivileged user.
  const runAs = postgresServerUser(() => {});
  mkdirSync(options.dir, { recursive: true, mode: 0o700 });
  const quote = (text: string) => `"${text.replaceAll('"', '""')}"`;
  const userList = join(options.dir, 'userlist.txt');
  writeFileSync(userList, `${quote(user)} ${quote(password)}\n`, { mode: 0o600 });
  const configFile = join(options.dir, 'pgbouncer.ini');
  if (runAs) {
    for (const file of [options.dir, userList]) chownSync(file, runAs.uid, runAs.gid);
    ensureReachable(userList, runAs, options.onLine ?? (() => {}));
  }

  return startOnFreePort({ preferred: options.preferredPort }, async (port) => {
    writeFileSync(
      configFile,
      [
        '[databases]',
        `* = host=${server.hostname} port=${server.port || 5432}`,
        '[pgbouncer]',
        'listen_addr = 127.0.0.1',
        `listen_port = ${port}`,
        'unix_socket_dir =',
        'auth_type = scram-sha-256',
        `auth_file = ${userList}`,
        'pool_mode = transaction',
        `default_pool_size = ${options.poolSize}`,
        `max_db_connections = ${options.poolSize}`,
        'max_client_conn = 1000',
        // The same login may read SHOW STATS on the admin console (the test counts transactions there).
        `stats_users = ${user}`,
        '',
      ].join('\n'),
      { mode: 0o600 },
    );
    if (runAs) chownSync(configFile, runAs.uid, runAs.gid);
    const child = await ManagedProcess.spawn('pgbouncer', executable, [configFile], {
      cwd: options.dir,
      env: childEnv({}),
      onLine: options.onLine,
      ...runAs,
    });
    server.host = `127.0.0.1:${port}`;
    const url = server.toString();
    try {
      await waitUntil(() => answersQuery(url), {
        what: `pgbouncer on port ${port} to accept connections`,
        timeoutMs: 20_000,
        process: child,
      });
    } catch (error) {
      await child.stop('SIGINT', 10_000);
      throw error;
    }
    return {
      url,
      port,
      process: child,
      stop: async () => {
        await child.stop('SIGINT', 10_000);
      },
    };
  });
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
