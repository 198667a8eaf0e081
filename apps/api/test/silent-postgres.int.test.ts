import { connectDatabase, forTenant, inTransaction } from '@frontline/db';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type Harness, startHarness } from './support/harness.js';
import { expectRowsEqualTheModel } from './support/model-outcomes.js';
import { outcomeCensus } from './support/outcome-census.js';
import { startSilenceableProxy } from './support/silenceable-proxy.js';
import { expectTalliesEqualRawRows } from './support/tally-census.js';

const queryTimeoutMs = 2_000;
const points = 4;
const patients = 1_500;

// A worker reaches Postgres through a proxy that, mid-sweep, makes every connection it carries go
// silent: Postgres sees them closed and ends their sessions, the worker hears nothing, ever, not even
// a FIN — what a partition or a pooler that lost its upstream leaves behind. Redis stays reachable, so
// the worker keeps renewing its jobs' locks and no other worker would ever take them over.
describe('a worker whose Postgres connections go silent', () => {
  let harness: Harness;
  let proxy: Awaited<ReturnType<typeof startSilenceableProxy>>;

  beforeAll(async () => {
    harness = await startHarness();
    const database = new URL(inject('appDatabaseUrl'));
    proxy = await startSilenceableProxy({ host: database.hostname, port: Number(database.port) });
  });
  afterAll(async () => {
    await harness?.stop();
    await proxy?.stop();
  });

  /** The app role's URL through the proxy. */
  function throughProxy(): string {
    const url = new URL(inject('appDatabaseUrl'));
    url.hostname = '127.0.0.1';
    url.port = String(proxy.port);
    return url.toString();
  }

  it('a pool with a query limit discards a connection gone silent: the next statement gets a new one', async () => {
    // One connection at most: were the silent one pooled again, every later statement would queue behind it.
    const database = connectDatabase(throughProxy(), { max: 1, queryTimeoutMs: 500 });
    const tenant = forTenant(database.pool, 'silent-tenant');
    try {
      const backend = async () =>
        (await database.pool.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
      for (const [path, statement] of [
        ['inTransaction', () => inTransaction(database.pool, (c) => c.query('select 1'))],
        ['forTenant query', () => tenant.query('select 1')],
        ['forTenant connect', () => inTransaction(tenant, (c) => c.query('select 1'))],
      ] as const) {
        const before = await backend();
        expect(proxy.silence(), path).toBe(1);
        await expect(statement(), path).rejects.toThrow(/Query read timeout/);
        // A new connection (on the silent one, pooled again, this would time out as well).
        const accepted = proxy.accepted;
        expect(await backend(), path).not.toBe(before);
        expect(proxy.accepted, path).toBe(accepted + 1);
        expect(database.pool.totalCount, path).toBe(1);
      }
    } finally {
      await database.close().catch(() => {});
    }
  });

  it('gives up on them after DB_QUERY_TIMEOUT_MS, writes on new ones, and stores every outcome once', async () => {
    const worker = await harness.startWorker(1, {
      DATABASE_URL: throughProxy(),
      DB_QUERY_TIMEOUT_MS: String(queryTimeoutMs),
    });
    const created = await harness.submit({
      name: 'silent postgres',
      model: 'lf-tid@1',
      design: { kind: 'grid', axes: { dose: [0, 2], immuneKill: [0.035, 0.1] } },
      cohort: { patients, seed: 9_311, chunkSize: 100 },
      params: { horizonDays: 180 },
    });
    await harness.waitForSweep(created.id, (s) => s.progress.done >= 500);
    const silenced = proxy.silence();
    const acceptedBefore = proxy.accepted;
    const silencedAt = Date.now();
    expect(silenced).toBeGreaterThanOrEqual(1);

    // Without the limit the worker's next statement waits forever on a silent connection.
    const done = await harness.waitForSweep(created.id, (s) => s.status === 'completed', 60_000);
    console.log(
      `[silent-postgres] ${silenced} connection(s) silenced; sweep completed ${Date.now() - silencedAt} ms later; ` +
        `${proxy.bytesIntoSilence} bytes sent into silence; ${proxy.accepted - acceptedBefore} new connection(s)`,
    );
    expect(done.progress.done).toBe(points * patients);
    // The worker did send statements into the silence, gave up on them, and connected anew.
    expect(proxy.bytesIntoSilence).toBeGreaterThan(0);
    expect(worker.output()).toMatch(/Query read timeout/);
    expect(proxy.accepted).toBeGreaterThan(acceptedBefore);
    expect(worker.child.exitCode).toBe(null);

    // Nothing lost or written twice, every chunk done once, tables equal to the rows.
    const census = await outcomeCensus(harness.pool, created.id);
    expect(census).toEqual({
      expected: points * patients,
      stored: points * patients,
      lost: 0,
      duplicated: 0,
      unexpected: 0,
    });
    const { rows: chunks } = await harness.pool.query<{ status: string; n: number }>(
      'select status, count(*)::int as n from chunks where sweep_id = $1 group by status',
      [created.id],
    );
    expect(chunks).toEqual([{ status: 'done', n: (points * patients) / 100 }]);
    await expectRowsEqualTheModel(harness, created.id);
    await expectTalliesEqualRawRows(harness, created.id);
  });
});
