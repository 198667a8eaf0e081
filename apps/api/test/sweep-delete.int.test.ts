import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { apiOnOwnPools } from './support/api-on-own-pools.js';
import { type Harness, startHarness } from './support/harness.js';

const spec = (name: string, seed: number) => ({
  name,
  design: { kind: 'grid', axes: { dose: [0, 2] } },
  cohort: { patients: 30, seed, chunkSize: 30 },
  params: { horizonDays: 120 },
});

describe('DELETE /v1/sweeps/{id}: a tenant removes its own ended sweeps, and only outcomes nobody uses', () => {
  let harness: Harness;
  let keyA: string;
  let keyB: string;
  const tenantB = `delete-b-${randomBytes(3).toString('hex')}`;
  // Seeds of this file only, so outcomes of other test files never share (point, seed) with these.
  const seed = 700_000 + randomBytes(2).readUInt16BE(0);
  const otherSeed = seed + 70_000;

  beforeAll(async () => {
    // Outcomes shared across tenants: the case where "no other sweep of any tenant" matters.
    harness = await startHarness({ shareOutcomesAcrossTenants: true });
    keyA = await harness.createKey('submit');
    keyB = await harness.createKey('submit', tenantB);
  });
  afterAll(async () => {
    await harness?.stop();
  });

  const as = (key: string) => ({
    submit: async (body: unknown) => {
      const r = await harness.request('POST', '/v1/sweeps', body, { key });
      expect(r.status, JSON.stringify(r.body)).toBe(202);
      return r.body as { id: string; status: string; reused: number };
    },
    delete: (id: string) => harness.request('DELETE', `/v1/sweeps/${id}`, undefined, { key }),
  });
  const a = () => as(keyA);
  const b = () => as(keyB);

  /** Rows of a sweep in each table (owner's view, every tenant). */
  async function rowsOf(sweepId: string) {
    const n = async (sql: string) => (await harness.pool.query(sql, [sweepId])).rows[0].n as number;
    return {
      sweeps: await n('select count(*)::int as n from sweeps where id = $1'),
      sweepPoints: await n('select count(*)::int as n from sweep_points where sweep_id = $1'),
      chunks: await n('select count(*)::int as n from chunks where sweep_id = $1'),
      // Its tables: no foreign key cascades to them, deleteSweep removes them itself.
      survivalTables: await n('select count(*)::int as n from sweep_survival_tallies where sweep_id = $1'),
      pointTables: await n('select count(*)::int as n from sweep_point_tallies where sweep_id = $1'),
    };
  }
  /** The rows of a sweep of two points in two chunks that ran: three survival tables and a summary a point. */
  const ranSweep = { sweeps: 1, sweepPoints: 2, chunks: 2, survivalTables: 6, pointTables: 2 };
  const noRows = { sweeps: 0, sweepPoints: 0, chunks: 0, survivalTables: 0, pointTables: 0 };
  /** Outcomes stored for the two dose points of these sweeps under one cohort seed. */
  async function outcomesFor(pointIds: number[], cohortSeed: number) {
    const { rows } = await harness.pool.query(
      'select count(*)::int as n from outcomes where point_id = any($1::int4[]) and cohort_seed = $2',
      [pointIds, cohortSeed],
    );
    return rows[0].n as number;
  }

  it('deletes rows of its own sweep, keeps outcomes other sweeps use, and never touches another tenant', async () => {
    await harness.startWorker(1);
    const first = await a().submit(spec('delete: first', seed));
    await harness.waitForSweep(first.id, (s) => s.status === 'completed');
    // Same points and seed: a second sweep of A and one of B reuse every outcome of the first.
    const second = await a().submit(spec('delete: second', seed));
    const theirs = await b().submit(spec('delete: tenant B', seed));
    expect([second.reused, theirs.reused]).toEqual([60, 60]);
    // Same points, another seed: outcomes of its own.
    const reseeded = await a().submit(spec('delete: reseeded', otherSeed));
    await harness.waitForSweep(reseeded.id, (s) => s.status === 'completed');
    const { rows } = await harness.pool.query(
      'select point_id as "pointId" from sweep_points where sweep_id = $1 order by point_index',
      [first.id],
    );
    const pointIds = rows.map((r) => r.pointId as number);
    expect(pointIds).toHaveLength(2);
    expect(await rowsOf(first.id)).toEqual(ranSweep);
    expect([await outcomesFor(pointIds, seed), await outcomesFor(pointIds, otherSeed)]).toEqual([60, 60]);

    // Tenant B cannot see A's sweep, so cannot delete it: 404, and every row stays.
    const foreign = await b().delete(first.id);
    expect(foreign.status).toBe(404);
    expect(foreign.body).toMatchObject({ error: { code: 'not_found' } });
    expect(await rowsOf(first.id)).toEqual(ranSweep);
    expect(await outcomesFor(pointIds, seed)).toBe(60);

    // A deletes the first: its sweep, links and chunks go; the outcomes stay (its second sweep and
    // B's sweep still reference all 60).
    const deleted = await a().delete(first.id);
    expect(deleted).toEqual({
      status: 200,
      body: { id: first.id, deleted: { sweeps: 1, sweepPoints: 2, chunks: 2, outcomes: 0 } },
    });
    expect(await rowsOf(first.id)).toEqual(noRows);
    expect(await outcomesFor(pointIds, seed)).toBe(60);
    expect((await harness.request('GET', `/v1/sweeps/${first.id}`, undefined, { key: keyA })).status).toBe(
      404,
    );
    expect((await a().delete(first.id)).status).toBe(404);

    // A's second sweep goes too: B's sweep (another tenant) still keeps the 60 outcomes.
    expect((await a().delete(second.id)).body.deleted).toEqual({
      sweeps: 1,
      sweepPoints: 2,
      chunks: 0,
      outcomes: 0,
    });
    expect(await outcomesFor(pointIds, seed)).toBe(60);
    // Its tables (seeded from the reused outcomes) go with it; B's, the same points', stay.
    expect(await rowsOf(second.id)).toEqual(noRows);
    expect(await rowsOf(theirs.id)).toEqual({
      sweeps: 1,
      sweepPoints: 2,
      chunks: 0,
      survivalTables: 6,
      pointTables: 2,
    });
    // B's was the last reference to seed's outcomes: all 60 go; the other seed's stay.
    expect((await b().delete(theirs.id)).body.deleted).toEqual({
      sweeps: 1,
      sweepPoints: 2,
      chunks: 0,
      outcomes: 60,
    });
    expect([await outcomesFor(pointIds, seed), await outcomesFor(pointIds, otherSeed)]).toEqual([0, 60]);
    expect(await rowsOf(reseeded.id)).toEqual(ranSweep);
    await harness.stopWorkers();
  });

  it('refuses 409 while a sweep is queued, and deletes it once cancelled', async () => {
    const queued = await a().submit(spec('delete: queued', otherSeed + 1));
    expect(queued.status).toBe('queued');
    const refused = await a().delete(queued.id);
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'conflict' });
    expect(refused.body.error.message).toContain('cancel it');
    expect(await rowsOf(queued.id)).toEqual({
      sweeps: 1,
      sweepPoints: 2,
      chunks: 2,
      survivalTables: 0,
      pointTables: 0,
    });
    const cancel = await harness.request('POST', `/v1/sweeps/${queued.id}/cancel`, undefined, { key: keyA });
    expect(cancel.body.cancelled).toBe(true);
    expect((await a().delete(queued.id)).body.deleted).toEqual({
      sweeps: 1,
      sweepPoints: 2,
      chunks: 2,
      outcomes: 0,
    });
    expect(await rowsOf(queued.id)).toEqual(noRows);
  });

  it('needs a submit key: a read key gets 403 and the sweep stays', async () => {
    const readKey = await harness.createKey('read');
    const kept = await a().submit(spec('delete: kept', otherSeed + 2));
    await harness.request('POST', `/v1/sweeps/${kept.id}/cancel`, undefined, { key: keyA });
    const forbidden = await harness.request('DELETE', `/v1/sweeps/${kept.id}`, undefined, { key: readKey });
    expect(forbidden.status).toBe(403);
    expect(await rowsOf(kept.id)).toEqual({
      sweeps: 1,
      sweepPoints: 2,
      chunks: 2,
      survivalTables: 0,
      pointTables: 0,
    });
  });
  it("waits past the pools' bound on a silent statement for a chunk being completed, then deletes it all", async () => {
    await harness.startWorker(1);
    const ran = await a().submit(spec('delete: waits', otherSeed + 3));
    await harness.waitForSweep(ran.id, (s) => s.status === 'completed');
    const before = await rowsOf(ran.id);
    expect(before).toEqual(ranSweep);
    const { rows: points } = await harness.pool.query<{ pointId: number }>(
      'select point_id as "pointId" from sweep_points where sweep_id = $1',
      [ran.id],
    );
    const pointIds = points.map((p) => p.pointId);
    expect(await outcomesFor(pointIds, otherSeed + 3)).toBe(60);

    // The API's pools as main.ts makes them, bounding an unanswered statement at 400 ms (DB_QUERY_TIMEOUT_MS).
    const api = await apiOnOwnPools(inject('appDatabaseUrl'), harness.queuePrefix, 400);
    const { app } = api;
    // A chunk of the sweep held as a worker completing it holds it: the deletion waits for its commit.
    const holder = await harness.pool.connect();
    try {
      await holder.query('begin');
      await holder.query('select from chunks where sweep_id = $1 and chunk_index = 1 for update', [ran.id]);
      let answered = false;
      const deletion = app
        .inject({
          method: 'DELETE',
          url: `/v1/sweeps/${ran.id}`,
          headers: { authorization: `Bearer ${keyA}` },
        })
        .finally(() => {
          answered = true;
        });
      // Held for three times the bound, the deletion's session waiting on the lock all along.
      for (let i = 0; i < 12; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        const { rows } = await harness.pool.query<{ n: number }>(
          `select count(*)::int as n from pg_stat_activity
           where wait_event_type = 'Lock' and query like 'select from chunks where sweep_id%'`,
        );
        expect({ answered, waiting: rows[0]!.n }).toEqual({ answered: false, waiting: 1 });
      }
      await holder.query('commit');
      const response = await deletion;
      expect(response.statusCode, response.body).toBe(200);
      expect(response.json().deleted).toEqual({ sweeps: 1, sweepPoints: 2, chunks: 2, outcomes: 60 });
      expect(await rowsOf(ran.id)).toEqual(noRows);
      expect(await outcomesFor(pointIds, otherSeed + 3)).toBe(0);
    } finally {
      holder.release();
      await api.close();
    }
  });
});
