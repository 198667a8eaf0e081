import pg from 'pg';
import { asError, isConnectionError } from './connection-errors.js';
import { appDatabaseRole } from './schema.js';

export interface Database {
  pool: pg.Pool;
  close(): Promise<void>;
}

// bigint columns (cohort seeds, counts) fit in a double: parse them as numbers, not strings.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));
// real columns (single-precision outputs): Postgres prints the shortest text that names the float4, which
// parsed as a double is not that float4 (0.1 vs 0.100000001…); fround gives the stored value exactly.
pg.types.setTypeParser(pg.types.builtins.FLOAT4, (value) => Math.fround(Number.parseFloat(value)));

/**
 * The role the API and workers log in as (created by the migrations, subject to row-level security;
 * the deployment gives it LOGIN and a password, see README "Database roles").
 */
export const appRole = appDatabaseRole.name;

/** A pooled connection. Connection attempts fail fast so callers can answer 503 instead of hanging. */
export function connectDatabase(
  databaseUrl: string,
  options: {
    max?: number;
    application?: string;
    /**
     * Act as the app role from a privileged login (`-c role=` in the startup packet). A `RESET ROLE`
     * escapes it, so the running apps never use this: they log in as the app role itself (see
     * assertUnprivilegedLogin). Kept only for tests and benchmarks that hold the owner's URL alone.
     */
    appRole?: boolean;
    /** Postgres cancels any statement running longer (SQLSTATE 57014); default: no limit. */
    statementTimeoutMs?: number;
    /** How long a checkout waits for a free connection before failing (default 5 s). */
    connectionTimeoutMs?: number;
    /**
     * A statement whose answer has not come after this long fails ("Query read timeout", a connection
     * error) and its connection is discarded; default: no limit. A connection whose server went silent
     * (a partition, a proxy that lost its upstream) otherwise waits forever, and a worker holding a job
     * meanwhile keeps renewing its lock. Not for pools that stream (cursors, COPY): the limit bounds a
     * whole streamed statement too.
     */
    queryTimeoutMs?: number;
  } = {},
): Database {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: options.max ?? 10,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 5_000,
    statement_timeout: options.statementTimeoutMs,
    query_timeout: options.queryTimeoutMs,
    idleTimeoutMillis: 30_000,
    application_name: options.application ?? 'frontline',
    options: options.appRole ? `-c role=${appRole}` : undefined,
  });
  // An idle client losing its server must not crash the process; the next query reports the error.
  pool.on('error', () => {});
  // Nor may a checked-out one (a transaction, a tenant-bound view, a COPY stream): it emits 'error'
  // when Postgres goes away, and with no listener that kills the process. The query in flight rejects
  // with the same failure, and release() discards the broken client.
  pool.on('connect', (client) => void client.on('error', () => {}));
  return { pool, close: () => pool.end() };
}

/**
 * Refuse to serve from a login that row-level security does not bind: a superuser, a BYPASSRLS
 * role, an owner of the tables (it could disable their policies), or a member of any of those (it
 * could SET ROLE to it). The API and workers call this at start, so a misconfigured DATABASE_URL
 * stops them instead of quietly serving every tenant's rows.
 */
export async function assertUnprivilegedLogin(pool: pg.Pool): Promise<void> {
  const { rows } = await pool.query<{ login: string; privileged: string | null }>(
    `select session_user as login,
       (select string_agg(r.rolname, ', ' order by r.rolname) from pg_roles r
        where pg_has_role(session_user, r.oid, 'member')
          and (r.rolsuper or r.rolbypassrls
               or exists (select 1 from pg_class c
                          where c.relowner = r.oid and c.relnamespace = 'public'::regnamespace))) as privileged`,
  );
  const [{ login, privileged } = { login: '?', privileged: null }] = rows;
  if (privileged) {
    throw new Error(
      `the database login ${login} is or can become ${privileged} (superuser, BYPASSRLS or table owner), ` +
        `which row-level security does not bind; give the apps the ${appRole} role's URL ` +
        `(postgres://${appRole}:…@host/db, see README "Database roles")`,
    );
  }
}

/** Run `work` in one transaction on one pooled client. */
export async function inTransaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
  { readOnly = false }: { readOnly?: boolean } = {},
): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query(readOnly ? 'begin read only' : 'begin');
    const result = await work(client);
    await client.query('commit');
    return result;
  } catch (error) {
    broken = await rollbackOrDiscard(client, error);
    throw error;
  } finally {
    client.release(broken);
  }
}

/**
 * After a failed statement: roll the transaction back, or say why the connection must be discarded
 * instead (pass it to `release`). A connection error leaves nothing to roll back on this connection,
 * and after a read timeout a `rollback` would only queue behind the statement that never answered.
 */
export async function rollbackOrDiscard(
  client: { query(text: string): Promise<unknown> },
  error: unknown,
): Promise<Error | undefined> {
  if (isConnectionError(error)) return asError(error);
  try {
    await client.query('rollback');
    return undefined;
  } catch (rollbackError) {
    return asError(rollbackError);
  }
}

/**
 * `client.query` with its own bound on the wait for an answer (pg's per-statement `query_timeout`, which
 * its typings lack); the pool's bound when `waitMs` is undefined.
 */
export const queryWithin = <R extends pg.QueryResultRow>(
  client: pg.ClientBase,
  waitMs: number | undefined,
  text: string,
  values?: unknown[],
) => client.query<R>({ text, ...(values ? { values } : {}), query_timeout: waitMs } as pg.QueryConfig);

/** What a check of a long statement's session found (queryWhileAlive). */
type SessionState = 'working' | 'idle' | 'gone' | 'unknown';

/** How queryWhileAlive checks a long statement's session. */
export interface AliveCheck {
  /** Asks Postgres about the session, on connections of its own. */
  probe: pg.Pool;
  /**
   * The session's backend, as `select pg_backend_pid()` on it answered: not the connection's
   * `processID`, which a pooler in front of Postgres (PgBouncer) makes up.
   */
  backendPid: number;
  everyMs: number;
  /** The statement's own bound on the wait for its answer (queryWithin). */
  waitMs?: number;
}

/**
 * `client.query` for a statement that may rightly run for long (no bound of its own short of `waitMs`),
 * while every `everyMs` another connection of `probe` asks Postgres whether the statement's session is
 * still at it (`pg_stat_activity`, which shows a role its own sessions). A session that is gone (Postgres
 * ended it: its client went away), or idle twice running while the answer has not come, means the
 * connection went silent: it is destroyed and the statement fails as a connection error instead of
 * holding its connection until `waitMs`. A check that cannot run (Postgres away) decides nothing.
 */
export async function queryWhileAlive<R extends pg.QueryResultRow>(
  client: pg.PoolClient,
  { probe, backendPid, everyMs, waitMs }: AliveCheck,
  text: string,
  values?: unknown[],
): Promise<pg.QueryResult<R>> {
  const { connection } = client as unknown as { connection: { stream: { destroy(error?: Error): void } } };
  const sessionState = async (): Promise<SessionState> => {
    try {
      const { rows } = await probe.query<{ state: string }>(
        'select state from pg_stat_activity where pid = $1',
        [backendPid],
      );
      const state = rows[0]?.state;
      return state === undefined ? 'gone' : state === 'active' ? 'working' : 'idle';
    } catch {
      return 'unknown';
    }
  };
  let checking = false;
  let idleChecks = 0;
  let answered = false;
  const check = setInterval(() => {
    if (checking) return;
    checking = true;
    void sessionState().then((state) => {
      checking = false;
      if (answered) return;
      idleChecks = state === 'idle' ? idleChecks + 1 : 0;
      if (state !== 'gone' && idleChecks < 2) return;
      clearInterval(check);
      connection.stream.destroy(
        new Error(
          `Connection terminated: Postgres's session ${backendPid} is ${state}, its answer never came`,
        ),
      );
    });
  }, everyMs);
  try {
    return await queryWithin<R>(client, waitMs, text, values);
  } finally {
    answered = true;
    clearInterval(check);
  }
}
