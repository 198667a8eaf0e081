import { connectDatabase, forTenant, inTransaction } from '@frontline/db';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { apiOnOwnPools } from './support/api-on-own-pools.js';
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
// the worker keeps renewing its jobs' locks and no other worker would ever take them over. Then the API
// meets the same silence on its own pools (reading the sweep that worker completed).
describe('Postgres connections gone silent, for a worker and for the API', () => {
  let harness: Harness;
  /** The sweep the worker completes through the silence (the API's test reads it). */
  let sweepId: string | undefined;
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
    sweepId = created.id;
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
  it('the API gives up on silent connections after DB_QUERY_TIMEOUT_MS: 503s naming the database, then the same answers on new ones', async () => {
    expect(sweepId).toBeDefined();
    // The API's pools as main.ts makes them (connectApiDatabases), through the proxy.
    const api = await apiOnOwnPools(throughProxy(), harness.queuePrefix, queryTimeoutMs);
    const { app } = api;
    const { light, heavy } = api.databases;
    await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = app.server.address() as { port: number };
    try {
      const get = async (path: string) => {
        // A hang fails the test (the fetch aborts) rather than reaching its timeout: the limit is 2 s.
        const response = await fetch(`http://127.0.0.1:${port}${path}`, {
          headers: harness.authHeaders,
          signal: AbortSignal.timeout(20_000),
        });
        return { status: response.status, body: await response.text() };
      };
      const survivalPath = `/v1/sweeps/${sweepId}/survival?groupBy=dose`;
      const paths = [`/v1/sweeps/${sweepId}`, survivalPath, `/v1/sweeps/${sweepId}/points`];
      const before = await Promise.all(paths.map(get));
      for (const answer of before) expect(answer.status).toBe(200);
      const survivalBefore = JSON.parse(before[1]!.body);
      expect(survivalBefore.groups).toHaveLength(2);

      // Every connection of the three pools goes silent; the next statements on the light and heavy
      // pools wait 2 s, fail, and their connections are discarded. Each answer is the API's or 503.
      const silenced = proxy.silence();
      expect(silenced).toBeGreaterThanOrEqual(2);
      const accepted = proxy.accepted;
      const failures: string[] = [];
      const answers = new Map<string, string>();
      for (let attempt = 0; attempt < 12 && answers.size < paths.length; attempt++) {
        for (const path of paths.filter((p) => !answers.has(p))) {
          const answer = await get(path);
          if (answer.status === 200) answers.set(path, answer.body);
          else {
            expect(answer.status, answer.body).toBe(503);
            expect(JSON.parse(answer.body).error).toMatchObject({
              code: 'unavailable',
              message: 'the database is unreachable; try again shortly',
            });
            failures.push(path);
          }
        }
      }
      console.log(
        `[silent-postgres] API: ${silenced} connection(s) silenced; ${failures.length} answer(s) 503 before ` +
          `all ${paths.length} reads answered again on ${proxy.accepted - accepted} new connection(s)`,
      );
      // The silence was met (at least one statement went into it and failed), then every read answers
      // as before, from new connections: nothing hangs, no pool slot is lost.
      expect(failures.length).toBeGreaterThanOrEqual(1);
      expect(proxy.accepted).toBeGreaterThan(accepted);
      expect([...answers.keys()].sort()).toEqual([...paths].sort());
      expect(JSON.parse(answers.get(survivalPath)!)).toEqual(survivalBefore);
      expect(answers.get(`/v1/sweeps/${sweepId}/points`)).toBe(before[2]!.body);
      expect(light.pool.totalCount).toBeLessThanOrEqual(3);
      expect(heavy.pool.totalCount).toBeLessThanOrEqual(3);
      expect(light.pool.waitingCount + heavy.pool.waitingCount).toBe(0);
    } finally {
      // Bounded: were a request still hung on a silent connection (the bug), closing would wait for it.
      await api.close();
    }
  });
});
