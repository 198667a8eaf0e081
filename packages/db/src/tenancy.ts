import pg from 'pg';
import { rollbackOrDiscard } from './client.js';
import { asError, isConnectionError } from './connection-errors.js';

/**
 * `begin` that names the tenant for this transaction only (`set_config(…, true)`): one simple-protocol
 * round trip, and nothing outlives the transaction. So a server connection never carries a tenant
 * from one client to the next, also behind pgbouncer's transaction pooling, where consecutive
 * transactions of one client may run on different server connections (docs/multi-host.md).
 */
function tenantBegin(tenantId: string, begin = 'begin'): string {
  return `${begin}; select set_config('frontline.tenant', ${pg.escapeLiteral(tenantId)}, true)`;
}

const beginStatement = /^\s*(begin|start\s+transaction)\b/i;
// `rollback to savepoint` stays inside the transaction.
const endStatement = /^\s*(commit|rollback(?!\s+to\b)|end|abort)\b/i;

type QueryArgs = [unknown, ...unknown[]];
type RunQuery = (...args: unknown[]) => Promise<unknown>;
const textOf = (query: unknown): string | undefined =>
  typeof query === 'string'
    ? query
    : typeof query === 'object' && query !== null && 'text' in query && typeof query.text === 'string'
      ? query.text
      : undefined;

/**
 * A view of `pool` bound to one tenant, for row-level security: it shows the tenant only its own
 * sweeps, points of sweeps and chunks. It has the pool's `query` and `connect`, so the data functions
 * take it in place of a pool. The tenant is set inside every transaction, never per session:
 * - `query()` runs its statement in `begin; set_config(…, true)` … `commit` (3 round trips, as many
 *   as the session-level set + query + reset it replaces);
 * - a client from `connect()` adds the tenant to its own `begin` (no extra round trip; it was 2, the
 *   set on checkout and the reset on release); a text statement it sends outside a transaction is
 *   wrapped as `query()`'s is. Anything else outside a transaction (a COPY or cursor object) is refused,
 *   as it would run with no tenant.
 */
export function forTenant(pool: pg.Pool, tenantId: string): pg.Pool {
  const begin = tenantBegin(tenantId);
  /**
   * One statement in its own transaction that names the tenant; `run` is the client's own query. On a
   * failure, `discard` hears why the connection must not be pooled again, if it must not (client.ts).
   */
  async function inTenantTransaction(
    run: RunQuery,
    args: QueryArgs,
    discard: (why: Error) => void,
  ): Promise<unknown> {
    try {
      await run(begin);
      const result = await run(...args);
      await run('commit');
      return result;
    } catch (error) {
      const why = await rollbackOrDiscard({ query: run }, error);
      if (why) discard(why);
      throw error;
    }
  }

  async function connect(): Promise<pg.PoolClient> {
    const client = await pool.connect();
    const ownQuery = client.query;
    const ownRun = ownQuery.bind(client) as RunQuery;
    let inTransaction = false;
    // A connection that failed (or went silent) is discarded on release, whoever releases it.
    let broken: Error | undefined;
    const discard = (why: Error) => {
      broken ??= why;
    };
    const run: RunQuery = (...args) => {
      const sent = ownRun(...args);
      // A cursor or COPY stream comes back as itself: its own errors reach its reader.
      if (!(sent instanceof Promise)) return sent;
      return sent.catch((error: unknown) => {
        if (isConnectionError(error)) discard(asError(error));
        throw error;
      });
    };
    client.query = ((...args: QueryArgs) => {
      const text = textOf(args[0]);
      if (inTransaction) {
        if (text !== undefined && endStatement.test(text)) inTransaction = false;
        return run(...args);
      }
      if (text !== undefined && beginStatement.test(text)) {
        // As text, or as { text, query_timeout } (a bound on its wait for an answer): never with values.
        const config = args[0];
        if (
          args.length > 1 ||
          (typeof config !== 'string' &&
            Object.keys(config as object).some((key) => key !== 'text' && key !== 'query_timeout'))
        )
          throw new Error('forTenant: send begin as plain text, without values');
        inTransaction = true;
        return run(
          typeof config === 'string'
            ? tenantBegin(tenantId, text)
            : { ...(config as object), text: tenantBegin(tenantId, text) },
        );
      }
      if (text === undefined || args.some((a) => typeof a === 'function'))
        throw new Error('forTenant: run cursors, COPY and callbacks inside a transaction (begin … commit)');
      return inTenantTransaction(run, args, discard);
    }) as pg.PoolClient['query'];
    const release = client.release.bind(client);
    client.release = ((err?: Error | boolean) => {
      client.query = ownQuery;
      client.release = release;
      // A client handed back mid-transaction is discarded, not pooled: its transaction holds the tenant.
      return release(
        err || broken || (inTransaction ? new Error('released inside a transaction') : undefined),
      );
    }) as pg.PoolClient['release'];
    return client;
  }

  async function query(...args: QueryArgs) {
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      return await inTenantTransaction(client.query.bind(client) as RunQuery, args, (why) => {
        broken = why;
      });
    } finally {
      client.release(broken);
    }
  }
  return { connect, query, options: pool.options } as unknown as pg.Pool;
}

/** The tenant owning a sweep (one of the two cross-tenant lookups; see migration 0003). */
export async function sweepTenant(pool: pg.Pool, sweepId: string): Promise<string | undefined> {
  const { rows } = await pool.query<{ tenant: string | null }>(
    'select frontline_sweep_tenant($1) as tenant',
    [sweepId],
  );
  return rows[0]?.tenant ?? undefined;
}
