import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { forTenant, inTransaction } from '@frontline/db';
import { type PgbouncerHandle, randomHighPort, startPgbouncer } from '@frontline/stack';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type Harness, startHarness } from './support/harness.js';
import { outcomeCensus } from './support/outcome-census.js';

// Row-level security behind a real pgbouncer in transaction pooling mode (issue 14): consecutive
// transactions of one client run on whichever server connection is free, and one server connection
// serves every client, so a tenant must be named inside each transaction, never per session.

const spec = (seed: number) => ({
  name: `pooled ${seed}`,
  design: { kind: 'grid', axes: { dose: [0, 2] } },
  cohort: { patients: 30, seed, chunkSize: 30 },
  params: { horizonDays: 120 },
});

describe('tenants behind pgbouncer (pool_mode = transaction)', () => {
  let harness: Harness;
  const dir = mkdtempSync(join(tmpdir(), 'frontline-pgbouncer-'));
  const bouncers = new Map<number, PgbouncerHandle>();
  const pools: pg.Pool[] = [];
  const tenants = { a: `pool-a-${Date.now()}`, b: `pool-b-${Date.now()}` };
  const sweepsOf: Record<'a' | 'b', string[]> = { a: [], b: [] };
  /** A client pool of its own (as each worker process has) through the bouncer with `serverConnections`. */
  const clientPool = (serverConnections: number) => {
    const pool = new pg.Pool({ connectionString: bouncers.get(serverConnections)!.url, max: 3 });
    pools.push(pool);
    return pool;
  };

  beforeAll(async () => {
    harness = await startHarness();
    for (const serverConnections of [1, 2])
      bouncers.set(
        serverConnections,
        await startPgbouncer({
          dir: join(dir, `pool-${serverConnections}`),
          serverUrl: inject('appDatabaseUrl'),
          poolSize: serverConnections,
          preferredPort: randomHighPort(),
        }),
      );
    // Queued sweeps (no worker yet): two of tenant a, one of tenant b.
    for (const [tenant, count] of [
      ['a', 2],
      ['b', 1],
    ] as const) {
      const key = await harness.createKey('submit', tenants[tenant]);
      for (let i = 0; i < count; i++) {
        const created = await harness.request('POST', '/v1/sweeps', spec(700 + i), { key });
        expect(created.status).toBe(202);
        sweepsOf[tenant].push(created.body.id);
      }
      sweepsOf[tenant].sort();
    }
  }, 60_000);
  afterAll(async () => {
    await Promise.all(pools.map((pool) => pool.end()));
    for (const bouncer of bouncers.values()) await bouncer.stop();
    await harness?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a session-level tenant leaks to the next client through one server connection (why forTenant does not use one)', async () => {
    const setter = clientPool(1);
    const bystander = clientPool(1);
    try {
      await setter.query("select set_config('frontline.tenant', $1, false)", [tenants.a]);
      // Another client, never named a tenant: the shared server connection still carries a's.
      const { rows } = await bystander.query<{ id: string }>('select id from sweeps order by id');
      expect(rows.map((r) => r.id)).toEqual(sweepsOf.a);
    } finally {
      await setter.query("select set_config('frontline.tenant', '', false)");
    }
    const { rows } = await bystander.query('select id from sweeps');
    expect(rows).toEqual([]);
  });

  for (const serverConnections of [1, 2]) {
    it(`two tenants interleaving transactions over ${serverConnections} server connection(s) see only their own sweeps`, async () => {
      // A stale session tenant on the server connection(s), as the old per-checkout set could leave
      // behind: forTenant must name its tenant in every transaction whatever the connection carries.
      const intruder = clientPool(serverConnections);
      await Promise.all(
        Array.from({ length: serverConnections }, () =>
          inTransaction(intruder, async (client) => {
            await client.query("select set_config('frontline.tenant', 'intruder', false)");
            await sleep(20); // hold this server connection so the next one takes the other
          }),
        ),
      );
      const db = {
        a: forTenant(clientPool(serverConnections), tenants.a),
        b: forTenant(clientPool(serverConnections), tenants.b),
      };
      const other = { a: 'b', b: 'a' } as const;
      const seen: string[] = [];
      const visible = async (tenant: 'a' | 'b', how: string, ids: Promise<string[]>) =>
        seen.push(`${tenant} ${how}: ${(await ids).join(',')}`);
      const idsOf = (rows: { id: string }[]) => rows.map((r) => r.id);
      const rounds = [];
      for (let round = 0; round < 10; round++)
        for (const tenant of ['a', 'b'] as const) {
          rounds.push(
            visible(
              tenant,
              'query',
              db[tenant]
                .query<{ id: string }>('select id from sweeps order by id')
                .then((r) => idsOf(r.rows)),
            ),
            visible(
              tenant,
              'transaction',
              inTransaction(db[tenant], async (client) => {
                const before = await client.query<{ id: string }>('select id from sweeps order by id');
                await sleep(5); // the other tenant's statements queue or run on the other connection meanwhile
                // A write to the other tenant's sweep matches nothing under row-level security.
                const renamed = await client.query('update sweeps set name = $2 where id = $1', [
                  sweepsOf[other[tenant]][0],
                  'renamed by another tenant',
                ]);
                const after = await client.query<{ id: string }>('select id from sweeps order by id');
                return renamed.rowCount === 0 && idsOf(before.rows).join() === idsOf(after.rows).join()
                  ? idsOf(after.rows)
                  : ['inconsistent'];
              }),
            ),
          );
        }
      await Promise.all(rounds);
      const expected = (tenant: 'a' | 'b', how: string) => `${tenant} ${how}: ${sweepsOf[tenant].join(',')}`;
      expect(seen.sort()).toEqual(
        [
          ...Array(10).fill(expected('a', 'query')),
          ...Array(10).fill(expected('a', 'transaction')),
          ...Array(10).fill(expected('b', 'query')),
          ...Array(10).fill(expected('b', 'transaction')),
        ].sort(),
      );
      const { rows } = await harness.pool.query('select count(*)::int as n from sweeps where name = $1', [
        'renamed by another tenant',
      ]);
      expect(rows[0].n).toBe(0);
      await intruder.query("select set_config('frontline.tenant', '', false)");
    });
  }

  it('a worker whose DATABASE_URL points at pgbouncer completes a sweep, every outcome exactly once', async () => {
    const bouncer = bouncers.get(2)!;
    const stats = async () => {
      const admin = new pg.Client({ connectionString: bouncer.url.replace(/\/[^/]*$/, '/pgbouncer') });
      await admin.connect();
      const { rows } = await admin.query<{ database: string; total_xact_count: string }>('show stats');
      await admin.end();
      return Number(
        rows.find((r) => r.database === new URL(bouncer.url).pathname.slice(1))?.total_xact_count,
      );
    };
    const transactionsBefore = await stats();
    await harness.startWorker(1, { DATABASE_URL: bouncer.url });
    const sweep = await harness.submit({
      name: 'through pgbouncer',
      design: { kind: 'grid', axes: { dose: [0, 1, 2] } },
      cohort: { patients: 400, seed: 4242, chunkSize: 300 },
      params: { horizonDays: 120 },
    });
    const done = await harness.waitForSweep(sweep.id, (s) => s.status !== 'queued' && s.status !== 'running');
    expect(done).toMatchObject({ status: 'completed', progress: { done: 1200 } });
    expect(await outcomeCensus(harness.pool, sweep.id)).toEqual({
      expected: 1200,
      stored: 1200,
      lost: 0,
      duplicated: 0,
      unexpected: 0,
    });
    const { rows } = await harness.pool.query<{ done: number; hosts: number }>(
      `select count(*) filter (where status = 'done')::int as done, count(distinct worker_host)::int as hosts
       from chunks where sweep_id = $1`,
      [sweep.id],
    );
    expect(rows[0]).toEqual({ done: 4, hosts: 1 });
    // The worker's transactions went through this pgbouncer (its own count, not Postgres').
    expect((await stats()) - transactionsBefore).toBeGreaterThanOrEqual(4);
    await harness.stopWorkers();
  }, 180_000);
});
