import pg from 'pg';

export interface Database {
  pool: pg.Pool;
  close(): Promise<void>;
}

// bigint columns (cohort seeds, counts) fit in a double: parse them as numbers, not strings.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

/** The role the API and workers act as (created by the migrations, subject to row-level security). */
export const appRole = 'frontline_app';

/** A pooled connection. Connection attempts fail fast so callers can answer 503 instead of hanging. */
export function connectDatabase(
  databaseUrl: string,
  options: {
    max?: number;
    application?: string;
    appRole?: boolean;
    /** Postgres cancels any statement running longer (SQLSTATE 57014); default: no limit. */
    statementTimeoutMs?: number;
    /** How long a checkout waits for a free connection before failing (default 5 s). */
    connectionTimeoutMs?: number;
  } = {},
): Database {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: options.max ?? 10,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 5_000,
    statement_timeout: options.statementTimeoutMs,
    idleTimeoutMillis: 30_000,
    application_name: options.application ?? 'frontline',
    // Serving processes act as the non-owner role from the connection's first statement on, so
    // row-level security binds them whatever account the URL names (set in the startup packet).
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

/** Run `work` in one transaction on one pooled client. */
export async function inTransaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
  { readOnly = false }: { readOnly?: boolean } = {},
): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query(readOnly ? 'begin read only' : 'begin');
    const result = await work(client);
    await client.query('commit');
    return result;
  } catch (error) {
    await client.query('rollback').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}
