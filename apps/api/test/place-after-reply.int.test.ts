import { defaultSweepLimits, expandSweep, parseSweepSpec, type SweepSpec } from '@frontline/contracts';
import {
  claimPlacement,
  connectDatabase,
  createSweep,
  forTenant,
  type NewSweepPoint,
  type PatientRange,
} from '@frontline/db';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { tenantPointHash } from '../src/sweep-service.js';
import { type Harness, startHarness } from './support/harness.js';
import { outcomeCensus } from './support/outcome-census.js';
import { startApp } from './support/processes.js';
import {
  lateInvalidSpec,
  plannedRows,
  sampledSpec,
  storeOutcomes,
  sweepPointRows,
} from './support/sweep-points.js';
import { expectTalliesEqualRawRows } from './support/tally-census.js';

/** Designs over 1,500 points are answered after their first 1,000 (one batch) and placed after the reply. */
const limits = { ...defaultSweepLimits, pointsBeforeReply: 1_500 };

/** The rows one plan of all the spec's points at once gives, for the stored point ids. */
const planOf = (pointIds: number[], spec: SweepSpec, stored: Map<number, PatientRange[]>) =>
  plannedRows(
    pointIds,
    expandSweep(spec).points.map((p) => p.axisValues),
    stored,
    spec.cohort.patients as number,
  );

async function sweepRow(harness: Harness, sweepId: string) {
  const { rows } = await harness.pool.query(
    `select status, points, total, reused, chunks_planned as "chunksPlanned", points_placed as "pointsPlaced",
            work_length as "workLength"
     from sweeps where id = $1`,
    [sweepId],
  );
  return rows[0];
}

/** The transaction ids that wrote the sweep's sweep_points rows, in point order, with the point ranges each wrote. */
async function writingTransactions(harness: Harness, sweepId: string) {
  const { rows } = await harness.pool.query<{ first: number; last: number }>(
    `select min(point_index) as first, max(point_index) as last from sweep_points where sweep_id = $1
     group by xmin::text order by 1`,
    [sweepId],
  );
  return rows;
}

function parse(spec: unknown): SweepSpec {
  const parsed = parseSweepSpec(spec, limits);
  if (!parsed.ok) throw new Error(`spec rejected: ${parsed.error.message}`);
  return parsed.spec;
}

describe('a large design answered before all its points are written (docs/spec.md, "Large designs")', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness({ limits });
  });
  afterAll(async () => {
    await harness?.stop();
  });

  it('writes 1,000 points before the 202 and the rest after it, in later transactions: the rows and totals of one plan', async () => {
    const spec = sampledSpec(2_345, 9101);
    const first = await harness.submit(spec); // settled: the placement after the reply has ended
    expect(first).toMatchObject({ status: 'queued', points: 2_345, simulations: 2_345 * 3, reused: 0 });
    // The reply's transaction wrote points 0–999 (with the sweep's first chunks); two more wrote the rest.
    expect(await writingTransactions(harness, first.id)).toEqual([
      { first: 0, last: 999 },
      { first: 1_000, last: 1_999 },
      { first: 2_000, last: 2_344 },
    ]);
    const { rows: chunkZero } = await harness.pool.query(
      `select (select xmin::text from chunks where sweep_id = $1 and chunk_index = 0) =
              (select xmin::text from sweep_points where sweep_id = $1 and point_index = 0) as same`,
      [first.id],
    );
    expect(chunkZero[0].same).toBe(true);
    const rows = await sweepPointRows(harness, first.id);
    const pointIds = rows.map((r) => r.point_id);
    expect(rows).toEqual(planOf(pointIds, parse(spec), new Map()).rows);
    expect(await sweepRow(harness, first.id)).toEqual({
      status: 'queued',
      points: 2_345,
      total: 7_035,
      reused: 0,
      chunksPlanned: Math.ceil(7_035 / 7),
      pointsPlaced: null,
      workLength: null,
    });
    // Each point under its tenant's address, as a sweep written at once stores it.
    const expanded = expandSweep(parse(spec)).points;
    const { rows: hashes } = await harness.pool.query<{ id: number; hash: string }>(
      'select id, hash from points where id = any($1::int4[])',
      [pointIds],
    );
    const hashOf = new Map(hashes.map((h) => [h.id, h.hash]));
    expect(pointIds.map((id) => hashOf.get(id))).toEqual(
      expanded.map((p) => tenantPointHash(harness.tenantId, p.pointHash)),
    );
    await harness.request('POST', `/v1/sweeps/${first.id}/cancel`);

    // Patients stored for a point of the first batch and one placed after the reply: both reused.
    await storeOutcomes(harness, pointIds[10]!, 77, [0, 1]);
    await storeOutcomes(harness, pointIds[2_100]!, 77, [1]);
    const second = await harness.submit(spec);
    // The reply counts the reuse it has seen (the first batch's); the sweep's totals end exact.
    expect(second).toMatchObject({ points: 2_345, simulations: 7_035, reused: 2 });
    const stored = new Map([
      [pointIds[10]!, [{ start: 0, end: 2 }]],
      [pointIds[2_100]!, [{ start: 1, end: 2 }]],
    ]);
    const secondRows = await sweepPointRows(harness, second.id);
    expect(secondRows).toEqual(planOf(pointIds, parse(spec), stored).rows);
    expect(secondRows[2_100]).toMatchObject({ work_patients: 2, missing_ranges: [0, 1, 2, 3] });
    expect(await sweepRow(harness, second.id)).toMatchObject({
      total: 7_035,
      reused: 3,
      chunksPlanned: Math.ceil(7_032 / 7),
      pointsPlaced: null,
    });
    const { body } = await harness.request('GET', `/v1/sweeps/${second.id}`);
    expect(body.progress).toEqual({ done: 3, total: 7_035, failed: 0, reused: 3 });
    await harness.request('POST', `/v1/sweeps/${second.id}/cancel`);
  });

  it('checks every point before the reply: a point past the first batch that breaks a rule is a 400 and nothing is written', async () => {
    // 3,002 points: only the last breaks a rule.
    const spec = lateInvalidSpec();
    const { rows: before } = await harness.pool.query('select count(*)::int as n from sweeps');
    const { status, body } = await harness.request('POST', '/v1/sweeps', spec);
    expect(status).toBe(400);
    expect(body.error.message).toMatch(
      /^1 of 3002 sweep points break a parameter rule; first: design \(point 3001/,
    );
    const { rows: after } = await harness.pool.query('select count(*)::int as n from sweeps');
    expect(after[0].n).toBe(before[0].n);
  });

  describe('a placement whose API died after the reply', () => {
    let appDatabase: ReturnType<typeof connectDatabase>;
    beforeAll(() => {
      appDatabase = connectDatabase(inject('appDatabaseUrl'));
    });
    afterAll(async () => {
      await appDatabase.close();
    });

    /** What the reply's transaction leaves: the sweep, its first 1,000 points, placing; no placer running. */
    async function placingSweep(spec: SweepSpec) {
      const points: NewSweepPoint[] = expandSweep(spec).points.map((p) => ({
        ...p,
        pointHash: tenantPointHash(harness.tenantId, p.pointHash),
      }));
      return createSweep(forTenant(appDatabase.pool, harness.tenantId), {
        tenantId: harness.tenantId,
        name: spec.name,
        priority: 'normal',
        modelId: spec.model,
        codeVersion: 'test',
        spec,
        axes: Object.keys(spec.design.axes),
        referenceArm: null,
        cohortSeed: spec.cohort.seed,
        patients: spec.cohort.patients as number,
        chunkSize: spec.cohort.chunkSize!,
        chunkWindow: 1_000,
        points: points.slice(0, 1_000),
        designPoints: points.length,
      });
    }

    it('is resumed by the reconciler from its last commit, unless a live placer holds its claim', async () => {
      const spec = parse(sampledSpec(2_600, 9102));
      const created = await placingSweep(spec);
      expect(created).toMatchObject({ placing: true, points: 2_600, simulations: 7_800 });
      expect(await sweepRow(harness, created.id)).toMatchObject({
        status: 'queued',
        pointsPlaced: 1_000,
        workLength: 3_000,
        chunksPlanned: Math.floor(3_000 / 7),
      });
      // Its chunks cover only placed work: the last queued one ends at or before position 3,000.
      const { rows: lastChunk } = await harness.pool.query(
        'select max(work_end)::int as end from chunks where sweep_id = $1',
        [created.id],
      );
      expect(lastChunk[0].end).toBeLessThanOrEqual(3_000);

      // Another process is still placing it (holds the claim): the reconciler leaves it alone.
      const claim = await claimPlacement(appDatabase.pool, created.id);
      expect(claim).toBeDefined();
      await harness.app.sweeps.reconcile();
      await harness.app.sweeps.settled();
      expect((await sweepPointRows(harness, created.id)).length).toBe(1_000);
      // That process dies (its claim goes with it): the next pass places the rest.
      await claim!.release();
      await harness.app.sweeps.reconcile();
      await harness.app.sweeps.settled();
      const rows = await sweepPointRows(harness, created.id);
      expect(rows).toEqual(
        planOf(
          rows.map((r) => r.point_id),
          spec,
          new Map(),
        ).rows,
      );
      expect(await sweepRow(harness, created.id)).toMatchObject({
        total: 7_800,
        reused: 0,
        chunksPlanned: Math.ceil(7_800 / 7),
        pointsPlaced: null,
        workLength: null,
      });
      await harness.request('POST', `/v1/sweeps/${created.id}/cancel`);
    });

    it('an API process SIGKILLed while placing: whole batches only, and another API places the rest', async () => {
      // A process of its own (default limits: over 5,000 points placed after the reply), killed mid-placement.
      const api = startApp('api', {
        DATABASE_URL: inject('appDatabaseUrl'),
        REDIS_URL: inject('redisUrl'),
        QUEUE_PREFIX: harness.queuePrefix,
        API_PORT: '0',
        RECONCILE_INTERVAL_MS: '600000',
      });
      let sweepId = '';
      try {
        const listening = await api.waitForLog(/Server listening at http:\/\/127\.0\.0\.1:\d+/);
        const apiUrl = /(http:\/\/127\.0\.0\.1:\d+)/.exec(listening)?.[1] ?? '';
        const spec = { ...sampledSpec(60_000, 9105, 1, 500), name: 'placement killed' };
        const response = await fetch(`${apiUrl}/v1/sweeps`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...harness.authHeaders },
          body: JSON.stringify(spec),
        });
        expect(response.status).toBe(202);
        sweepId = ((await response.json()) as { id: string }).id;
        // Kill it once the placement after the reply has committed a batch or more, well before its 60th.
        for (;;) {
          const { rows } = await harness.pool.query<{ n: number }>(
            'select count(*)::int as n from sweep_points where sweep_id = $1',
            [sweepId],
          );
          if (rows[0]!.n >= 2_000) break;
          await new Promise((r) => setTimeout(r, 10));
        }
        await api.kill9();
      } finally {
        if (api.child.exitCode === null && api.child.signalCode === null) await api.kill9();
      }
      // What the dead process left: whole batches, and the count it committed with them.
      const placed = await sweepPointRows(harness, sweepId);
      const left = await sweepRow(harness, sweepId);
      console.info(`[placement] API killed with ${placed.length} of 60,000 points placed`);
      expect(placed.length % 1_000).toBe(0);
      expect(placed.length).toBeLessThan(60_000);
      expect(left).toMatchObject({
        status: 'queued',
        pointsPlaced: placed.length,
        workLength: placed.length,
      });
      // Another API's reconciler (the harness's) resumes it: the rows and totals of one plan of all points.
      await harness.app.sweeps.reconcile();
      await harness.app.sweeps.settled();
      const rows = await sweepPointRows(harness, sweepId);
      expect(rows.slice(0, placed.length)).toEqual(placed);
      expect(rows).toEqual(
        planOf(
          rows.map((r) => r.point_id),
          parse(sampledSpec(60_000, 9105, 1, 500)),
          new Map(),
        ).rows,
      );
      expect(await sweepRow(harness, sweepId)).toMatchObject({
        total: 60_000,
        reused: 0,
        chunksPlanned: 120,
        pointsPlaced: null,
        workLength: null,
      });
      await harness.request('POST', `/v1/sweeps/${sweepId}/cancel`);
    });

    it('stops placing a sweep cancelled meanwhile', async () => {
      const created = await placingSweep(parse(sampledSpec(2_200, 9103)));
      await harness.request('POST', `/v1/sweeps/${created.id}/cancel`);
      await harness.app.sweeps.reconcile();
      await harness.app.sweeps.settled();
      expect((await sweepPointRows(harness, created.id)).length).toBe(1_000);
      expect(await sweepRow(harness, created.id)).toMatchObject({ status: 'cancelled', pointsPlaced: 1_000 });
    });
  });

  it('runs to completion on a worker: every outcome once, tables equal the rows, same points answer as a sweep written at once', async () => {
    const spec = { ...sampledSpec(1_700, 9104, 2, 60), name: 'placed after reply, run' };
    await harness.startWorker(2);
    try {
      const created = await harness.submit(spec);
      const done = await harness.waitForSweep(created.id, (s) => s.status === 'completed');
      expect(done.progress).toEqual({ done: 3_400, total: 3_400, failed: 0, reused: 0 });
      expect(await outcomeCensus(harness.pool, created.id)).toEqual({
        expected: 3_400,
        stored: 3_400,
        lost: 0,
        duplicated: 0,
        unexpected: 0,
      });
      await expectTalliesEqualRawRows(harness, created.id);

      // The same spec written at once (another tenant, so nothing is reused) answers the same points.
      const atOnce = await startHarness({ limits: { ...limits, pointsBeforeReply: 5_000 } });
      try {
        await atOnce.startWorker(2);
        const other = await atOnce.submit(spec);
        expect(await writingTransactions(atOnce, other.id)).toHaveLength(1);
        await atOnce.waitForSweep(other.id, (s) => s.status === 'completed');
        const page = async (h: Harness, id: string) =>
          (await h.request('GET', `/v1/sweeps/${id}/points?limit=2000`)).body.points;
        expect(await page(harness, created.id)).toEqual(await page(atOnce, other.id));
      } finally {
        await atOnce.stop();
      }

      // Submitted again, every patient is reused: the placement itself completes the sweep.
      const again = await harness.submit(spec);
      expect(await sweepRow(harness, again.id)).toMatchObject({
        status: 'completed',
        total: 3_400,
        reused: 3_400,
        chunksPlanned: 0,
        pointsPlaced: null,
      });
    } finally {
      await harness.stopWorkers();
    }
  });
});
