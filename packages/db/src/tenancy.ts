import type pg from 'pg';

// Named per checkout and cleared on release, so a pooled connection never carries a tenant over.
const setTenant = "select set_config('frontline.tenant', $1, false)";

/**
 * A view of `pool` bound to one tenant: every checkout names the tenant before its first
 * statement, and row-level security shows it only its own sweeps, points of sweeps and chunks.
 * It has the pool's `query` and `connect`, so the data functions take it in place of a pool.
 */
export function forTenant(pool: pg.Pool, tenantId: string): pg.Pool {
  async function connect(): Promise<pg.PoolClient> {
    const client = await pool.connect();
    try {
      await client.query(setTenant, [tenantId]);
    } catch (error) {
      client.release(error as Error);
      throw error;
    }
    const release = client.release.bind(client);
    let released = false;
    client.release = ((err?: Error | boolean) => {
      if (released) return;
      released = true;
      client.release = release;
      if (err) return release(err);
      client.query(setTenant, ['']).then(
        () => release(),
        (resetError: Error) => release(resetError),
      );
    }) as pg.PoolClient['release'];
    return client;
  }
  async function query(...args: unknown[]) {
    const client = await connect();
    try {
      return await (client.query as (...a: unknown[]) => Promise<unknown>)(...args);
    } finally {
      client.release();
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
