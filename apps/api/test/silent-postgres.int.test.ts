import {
  connectDatabase,
  forTenant,
  inTransaction,
  outcomeExportColumnsFor,
  outcomesCsvStream,
} from '@frontline/db';
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

  /** The API's pools as main.ts makes them (connectApiDatabases), through the proxy; listening. */
  async function apiThroughProxy() {
    const api = await apiOnOwnPools(throughProxy(), harness.queuePrefix, queryTimeoutMs);
    await api.app.listen({ host: '127.0.0.1', port: 0 });
    return { api, port: (api.app.server.address() as { port: number }).port };
  }

  /** An export's answer: its status and whole body, 'cut' if the body broke off, 'hung' past 20 s. */
  async function downloadExport(port: number, format: string) {
    const signal = AbortSignal.timeout(20_000);
    try {
      const response = await fetch(
        `http://127.0.0.1:${port}/v1/sweeps/${sweepId}/outcomes?format=${format}`,
        {
          headers: harness.authHeaders,
          signal,
        },
      );
      const body = await response.text().catch((error: Error) => {
        if (signal.aborted) throw error;
        return 'cut';
      });
      return { status: response.status, type: response.headers.get('content-type'), body };
    } catch (error) {
      if (signal.aborted) return { status: 0, type: null, body: 'hung' };
      throw error;
    }
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
    const { api, port } = await apiThroughProxy();
    const { light, heavy } = api.databases;
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

  it('an export gives up on a connection gone silent mid-statement after DB_QUERY_TIMEOUT_MS, then the same bytes on a new one', async () => {
    expect(sweepId).toBeDefined();
    const { api, port } = await apiThroughProxy();
    const exportPool = api.databases.exports.pool;
    const download = (format: string) => downloadExport(port, format);
    try {
      const before = { csv: await download('csv'), ndjson: await download('ndjson') };
      expect(before.csv.status, before.csv.body).toBe(200);
      expect(before.ndjson.status).toBe(200);
      // The header and one line per outcome.
      expect(before.csv.body.trimEnd().split('\n')).toHaveLength(points * patients + 1);
      expect(before.ndjson.body.trimEnd().split('\n')).toHaveLength(points * patients);

      for (const format of ['csv', 'ndjson'] as const) {
        // Another session holds the outcomes table, so the export's statement waits (on the COPY, or on
        // the cursor's declaration) — then its connection goes silent and the table is let go: Postgres
        // has ended that session, the export hears nothing, ever.
        const holder = await harness.pool.connect();
        try {
          await holder.query('begin');
          await holder.query('lock table outcomes in access exclusive mode');
          const answer = download(format);
          await expect
            .poll(
              async () =>
                (
                  await harness.pool.query<{ n: number }>(
                    `select count(*)::int as n from pg_stat_activity
                     where application_name = 'frontline-api-export' and wait_event_type = 'Lock'`,
                  )
                ).rows[0]!.n,
              { timeout: 10_000, interval: 50 },
            )
            .toBe(1);
          const silenced = proxy.silence();
          expect(silenced).toBeGreaterThanOrEqual(1);
          await holder.query('commit');
          const started = Date.now();
          const { status, type, body } = await answer;
          const waited = Date.now() - started;
          console.log(
            `[silent-postgres] ${format} export through the silence: ${status} ${body.slice(0, 40)} after ${waited} ms`,
          );
          // Never hung, never a body passed off as whole: refused (503, before its head was sent) or cut.
          if (status === 200) expect(body, format).toBe('cut');
          else {
            expect(status, body).toBe(503);
            // The envelope, as JSON (not under the export's own type).
            expect(type).toBe('application/json; charset=utf-8');
            expect(JSON.parse(body).error).toMatchObject({
              code: 'unavailable',
              message: 'the database is unreachable; try again shortly',
            });
          }
          expect(waited).toBeLessThan(15_000);
        } finally {
          holder.release();
        }
        // The silent connection was discarded, not pooled again: the export answers whole from a new one
        // (the light pool's first statements may meet its own silent connections: 503, then answers).
        const accepted = proxy.accepted;
        let again = await download(format);
        for (let attempt = 0; attempt < 10 && again.status !== 200; attempt++) {
          expect(again.status, again.body).toBe(503);
          again = await download(format);
        }
        expect(again).toEqual(before[format]);
        expect(proxy.accepted).toBeGreaterThan(accepted);
        expect(exportPool.totalCount).toBeLessThanOrEqual(2);
        expect(exportPool.waitingCount).toBe(0);
      }

      // A reader that stops reading is not a silent server: read straight from the COPY (an HTTP
      // response would take the whole export into socket buffers), stopping for six times the bound after
      // the first bytes while the stream's buffer fills, the export ends whole.
      const silenceMs = 250;
      const { rows } = await harness.pool.query<{ cohortSeed: number; patients: number; axes: string[] }>(
        'select cohort_seed as "cohortSeed", patients, axes from sweeps where id = $1',
        [sweepId],
      );
      const scope = { sweepId: sweepId!, modelId: 'lf-tid@1', ...rows[0]! };
      const columns = outcomeExportColumnsFor(rows[0]!.axes, scope.modelId);
      const stream = await outcomesCsvStream(harness.pool, scope, columns, { silenceMs });
      let csv = '';
      let filled = 0;
      for await (const chunk of stream) {
        csv += chunk;
        if (filled === 0) {
          await new Promise((resolve) => setTimeout(resolve, 6 * silenceMs));
          filled = stream.readableLength;
        }
      }
      expect(filled).toBeGreaterThanOrEqual(stream.readableHighWaterMark);
      expect(csv).toBe(before.csv.body);
    } finally {
      await api.close();
    }
  });

  it("an export whose idle pooled connection went silent gives up on its transaction's begin after DB_QUERY_TIMEOUT_MS", async () => {
    expect(sweepId).toBeDefined();
    const { api, port } = await apiThroughProxy();
    const exportPool = api.databases.exports.pool;
    /** The export pools' sessions in Postgres (this API's, and any other's: the count is compared). */
    const exportSessions = async () =>
      (
        await harness.pool.query<{ n: number }>(
          `select count(*)::int as n from pg_stat_activity where application_name = 'frontline-api-export'`,
        )
      ).rows[0]!.n;
    try {
      for (const format of ['csv', 'ndjson'] as const) {
        const before = await downloadExport(port, format);
        expect(before.status, before.body).toBe(200);
        // The export's connection, now idle in its pool, was the last one the proxy accepted (the light
        // pool's came first, for the key): silence it alone, so the next export's first statement, its
        // transaction's `begin`, goes into the silence.
        // (It is released after the COPY's commit, which may follow the body's last byte.)
        await expect.poll(() => exportPool.idleCount, { timeout: 5_000, interval: 20 }).toBe(1);
        const live = await exportSessions();
        expect(proxy.silence(1)).toBe(1);
        // Postgres ended that session: the link silenced was the export's.
        await expect.poll(exportSessions, { timeout: 5_000, interval: 50 }).toBe(live - 1);
        const sentBefore = proxy.bytesIntoSilence;
        const started = Date.now();
        const { status, type, body } = await downloadExport(port, format);
        const waited = Date.now() - started;
        console.log(
          `[silent-postgres] ${format} export on a silent idle connection: ${status} after ${waited} ms`,
        );
        // Refused as unreachable once the bound passed, never hung (that is 'hung' at 20 s, status 0).
        expect(status, body).toBe(503);
        expect(type).toBe('application/json; charset=utf-8');
        expect(JSON.parse(body).error).toMatchObject({
          code: 'unavailable',
          message: 'the database is unreachable; try again shortly',
        });
        expect(proxy.bytesIntoSilence).toBeGreaterThan(sentBefore);
        expect(waited).toBeGreaterThanOrEqual(queryTimeoutMs - 50);
        expect(waited).toBeLessThan(15_000);
        // The silent connection was discarded, not pooled again: the next export answers the same bytes at
        // once, from one new connection.
        const accepted = proxy.accepted;
        expect(await downloadExport(port, format)).toEqual(before);
        expect(proxy.accepted).toBe(accepted + 1);
        expect(exportPool.totalCount).toBe(1);
        expect(exportPool.waitingCount).toBe(0);
      }
    } finally {
      await api.close();
    }
  });

  /** What the sweep holds, read directly (owner, no proxy). */
  const holdings = async () =>
    (
      await harness.pool.query<{ sweeps: number; points: number; chunks: number; outcomes: number }>(
        `select (select count(*)::int from sweeps where id = $1) as sweeps,
                (select count(*)::int from sweep_points where sweep_id = $1) as points,
                (select count(*)::int from chunks where sweep_id = $1) as chunks,
                (select count(*)::int from outcomes o join sweep_points sp on sp.point_id = o.point_id
                 where sp.sweep_id = $1) as outcomes`,
        [sweepId],
      )
    ).rows[0]!;

  /** DELETE the sweep through the API on `port`: its answer, or 'hung' (status 0) after 30 s. */
  async function deleteSweep(port: number) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/v1/sweeps/${sweepId}`, {
        method: 'DELETE',
        headers: harness.authHeaders,
        signal: AbortSignal.timeout(30_000),
      });
      return { status: response.status, body: await response.text() };
    } catch {
      return { status: 0, body: 'hung' };
    }
  }

  /**
   * A deletion that meets `fault` mid-statement: its first lock waits behind the sweep's chunks, held here,
   * while `fault` strikes the proxy's connections (if any); the chunks are let go `holdMs` later. Its
   * answer, and how long it came after the chunks were let go.
   */
  async function deletionThrough(port: number, fault?: () => number, holdMs = queryTimeoutMs) {
    const locker = await harness.pool.connect();
    try {
      await locker.query('begin');
      await locker.query('select from chunks where sweep_id = $1 for update', [sweepId]);
      const deletion = deleteSweep(port);
      const waiting = async () =>
        (
          await harness.pool.query<{ n: number }>(
            `select count(*)::int as n from pg_stat_activity
             where wait_event_type = 'Lock' and query like 'select from chunks where sweep_id%'`,
          )
        ).rows[0]!.n;
      await expect.poll(waiting, { timeout: 10_000, interval: 50 }).toBe(1);
      if (fault) expect(fault()).toBeGreaterThanOrEqual(1);
      await new Promise((resolve) => setTimeout(resolve, holdMs));
      await locker.query('commit');
      const released = Date.now();
      const answer = await deletion;
      return { ...answer, waited: Date.now() - released };
    } finally {
      await locker.query('rollback').catch(() => {});
      locker.release();
    }
  }

  it('a deletion whose answers stop coming gives up once its session sits idle, and loses nothing', async () => {
    expect(sweepId).toBeDefined();
    const { api, port } = await apiThroughProxy();
    try {
      const held = await holdings();
      expect(held).toMatchObject({ sweeps: 1, points, outcomes: points * patients });
      // Postgres answers the deletion's statement, but the answer never arrives: its session waits, idle in
      // its transaction (holding the chunks' locks), for a next statement that never comes.
      const { status, body, waited } = await deletionThrough(port, () => proxy.deafen());
      console.log(
        `[silent-postgres] deletion whose answers are lost: ${status} ${waited} ms after the lock went`,
      );
      expect(status, body).toBe(503);
      expect(JSON.parse(body).error).toMatchObject({ code: 'unavailable' });
      // Each check waits for its own answer up to the bound, and the session must be seen idle twice.
      expect(waited).toBeLessThan(8 * queryTimeoutMs);
      // Its connection was closed, so Postgres ended the session: rolled back, its locks gone.
      await expect
        .poll(
          async () =>
            (
              await harness.pool.query<{ n: number }>(
                `select count(*)::int as n from pg_stat_activity where query like 'select from chunks where sweep_id%'`,
              )
            ).rows[0]!.n,
          { timeout: 10_000, interval: 50 },
        )
        .toBe(0);
      expect(await holdings()).toEqual(held);
    } finally {
      await api.close();
    }
  });

  // Last: it deletes the sweep the tests above read.
  it('a deletion whose connection goes silent gives up once Postgres has ended its session, loses nothing, and deletes on a new one', async () => {
    expect(sweepId).toBeDefined();
    const { api, port } = await apiThroughProxy();
    try {
      const held = await holdings();
      expect(held).toMatchObject({ sweeps: 1, points, outcomes: points * patients });
      // Postgres ends the silenced session only when the deletion, let through, sends its first answer.
      const { status, body, waited } = await deletionThrough(port, () => proxy.silence());
      console.log(
        `[silent-postgres] deletion on a silenced connection: ${status} ${waited} ms after the lock went`,
      );
      // Refused as unreachable within a few checks of DB_QUERY_TIMEOUT_MS, not after 30 min ('hung').
      expect(status, body).toBe(503);
      expect(JSON.parse(body).error).toMatchObject({ code: 'unavailable' });
      expect(waited).toBeLessThan(5 * queryTimeoutMs);
      // Rolled back whole: the sweep, its points, chunks and outcomes are all still there.
      expect(await holdings()).toEqual(held);

      // On a new connection the same request deletes it all, and no light-pool slot is left held. It too
      // waits on the chunks, for three times the bound: checks that find its session at work let it run.
      const again = await deletionThrough(port, undefined, 3 * queryTimeoutMs);
      expect(again.status, again.body).toBe(200);
      expect(JSON.parse(again.body).deleted).toEqual({
        sweeps: 1,
        sweepPoints: points,
        chunks: held.chunks,
        outcomes: points * patients,
      });
      expect(await holdings()).toEqual({ sweeps: 0, points: 0, chunks: 0, outcomes: 0 });
      expect(api.databases.light.pool.waitingCount).toBe(0);
    } finally {
      await api.close();
    }
  });
});
