import { defaultSweepLimits, expandSweep, parseSweepSpec } from '@frontline/contracts';
import { connectDatabase, createSweep, forTenant, type NewSweepPoint } from '@frontline/db';
import { chunkJobId } from '@frontline/queue';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { tenantPointHash } from '../src/sweep-service.js';
import { type Harness, startHarness } from './support/harness.js';
import {
  lateInvalidSpec,
  plannedRows,
  sampledSpec,
  storeOutcomes,
  sweepPointRows,
} from './support/sweep-points.js';

describe('submission written batch by batch while the design is expanded', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(async () => {
    await harness?.stop();
  });

  it('writes over 2 batches the rows one plan of all points gives: params, hashes, reuse by hash and of stored patients', async () => {
    const spec = sampledSpec(2_345, 8101);
    const parsed = parseSweepSpec(spec, defaultSweepLimits);
    if (!parsed.ok) throw new Error('spec rejected');
    const expanded = expandSweep(parsed.spec).points;

    const first = await harness.submit(spec);
    expect(first).toMatchObject({ status: 'queued', points: 2_345, simulations: 2_345 * 3, reused: 0 });
    const firstRows = await sweepPointRows(harness, first.id);
    const pointIds = firstRows.map((r) => r.point_id);
    // Each point stored under its tenant's content address with its full resolved parameters.
    const { rows: stored } = await harness.pool.query<{ id: number; hash: string; params: unknown }>(
      'select id, hash, params from points where id = any($1::int4[])',
      [pointIds],
    );
    const byId = new Map(stored.map((p) => [p.id, p]));
    expanded.forEach((point, i) => {
      const row = byId.get(pointIds[i]!)!;
      expect(row.hash).toBe(tenantPointHash(harness.tenantId, point.pointHash));
      expect(row.params).toEqual(JSON.parse(JSON.stringify(point.params)));
    });
    // Stored as differences from the base the design's points share, the spec's params resolved (schema.ts
    // point_rows): a point's row keeps its axis values only, its other 55 parameters are the base's.
    const { rows: kept } = await harness.pool.query<{ baseId: number | null; keys: string[] }>(
      `select base_id as "baseId", array(select jsonb_object_keys(params) order by 1) as keys
       from point_rows where id = any($1::int4[])`,
      [pointIds],
    );
    expect(kept).toHaveLength(2_345);
    expect(kept.filter((r) => r.baseId === null)).toEqual([]);
    expect(kept.filter((r) => r.keys.join() === 'dose,immuneKill')).toHaveLength(2_345);
    const bases = [...new Set(kept.map((r) => r.baseId))];
    expect(bases).toHaveLength(1);
    const { rows: baseRows } = await harness.pool.query<{ keys: number }>(
      'select count(*)::int as keys from point_bases b, jsonb_object_keys(b.params) where b.id = any($1::int4[]) group by b.id',
      [bases],
    );
    expect(baseRows.map((r) => r.keys)).toEqual([57]);
    const axisValues = expanded.map((p) => p.axisValues);
    const none = plannedRows(pointIds, axisValues, new Map(), 3);
    expect(firstRows).toEqual(none.rows);
    const { rows: firstSweep } = await harness.pool.query(
      'select points, total, reused, chunks_planned as "chunksPlanned" from sweeps where id = $1',
      [first.id],
    );
    expect(firstSweep[0]).toEqual({ points: 2_345, total: 7_035, reused: 0, chunksPlanned: 1_005 });
    await harness.request('POST', `/v1/sweeps/${first.id}/cancel`);

    // Patients already stored, in the first batch and in the third: the same spec reuses them.
    await storeOutcomes(harness, pointIds[10]!, 77, [0, 1]);
    await storeOutcomes(harness, pointIds[2_100]!, 77, [1]);
    const storedCounts = async () =>
      (
        await harness.pool.query<{ points: number; bases: number }>(
          'select (select count(*)::int from points) as points, (select count(*)::int from point_bases) as bases',
        )
      ).rows[0];
    const countsBefore = await storedCounts();
    const second = await harness.submit(spec);
    expect(second).toMatchObject({ points: 2_345, simulations: 7_035, reused: 3 });
    // Neither a point nor a base is stored twice: the same batches find theirs by hash.
    expect(await storedCounts()).toEqual(countsBefore);
    const reusing = plannedRows(
      pointIds,
      axisValues,
      new Map([
        [pointIds[10]!, [{ start: 0, end: 2 }]],
        [pointIds[2_100]!, [{ start: 1, end: 2 }]],
      ]),
      3,
    );
    const secondRows = await sweepPointRows(harness, second.id);
    expect(secondRows).toEqual(reusing.rows);
    expect(secondRows[2_100]).toMatchObject({ work_patients: 2, missing_ranges: [0, 1, 2, 3] });
    const { rows: secondSweep } = await harness.pool.query(
      'select total, reused, chunks_planned as "chunksPlanned" from sweeps where id = $1',
      [second.id],
    );
    expect(secondSweep[0]).toEqual({ total: 7_035, reused: 3, chunksPlanned: Math.ceil(7_032 / 7) });
    await harness.request('POST', `/v1/sweeps/${second.id}/cancel`);
  });

  it('places a point repeated in a later batch once, at its first position', async () => {
    const appDatabase = connectDatabase(inject('appDatabaseUrl'));
    try {
      const db = forTenant(appDatabase.pool, harness.tenantId);
      const parsed = parseSweepSpec(sampledSpec(1_500, 8102), defaultSweepLimits);
      if (!parsed.ok) throw new Error('spec rejected');
      const points: NewSweepPoint[] = expandSweep(parsed.spec).points.map((p) => ({
        index: p.index,
        axisValues: p.axisValues,
        params: p.params,
        pointHash: `repeat-test:${p.pointHash}`,
      }));
      // Point 1,200 (second batch) is point 5 again.
      points[1_200] = { ...points[5]!, index: 1_200 };
      const created = await createSweep(db, {
        tenantId: harness.tenantId,
        name: 'repeated point',
        priority: 'normal',
        modelId: 'lf-tid@2',
        codeVersion: 'test',
        spec: {},
        axes: ['dose', 'immuneKill'],
        referenceArm: null,
        cohortSeed: 5,
        patients: 4,
        chunkSize: 1_000,
        chunkWindow: 3,
        points,
      });
      expect(created).toMatchObject({ points: 1_500, simulations: 1_499 * 4, reused: 0, chunksPlanned: 6 });
      expect(created.chunks.map((c) => c.chunkIndex)).toEqual([0, 1, 2]);
      const rows = await sweepPointRows(harness, created.id);
      expect(rows[1_200]!.point_id).toBe(rows[5]!.point_id);
      const expected = plannedRows(
        rows.map((r) => r.point_id),
        points.map((p) => p.axisValues),
        new Map(),
        4,
      );
      expect(rows).toEqual(expected.rows);
      expect(rows[1_200]).toMatchObject({ work_start: null, work_patients: 0, missing_ranges: null });
      expect(expected.toSimulate).toBe(1_499 * 4);
    } finally {
      await appDatabase.close();
    }
  });

  it('answers 400 naming an invalid point of a later batch, with nothing written', async () => {
    // The invalid point comes after the first batch of 1,000 points has been written in the transaction.
    const spec = lateInvalidSpec();
    const counts = async () =>
      (
        await harness.pool.query(
          `select (select count(*) from points)::int as points, (select count(*) from sweeps)::int as sweeps,
                  (select count(*) from sweep_points)::int as "sweepPoints"`,
        )
      ).rows[0];
    const before = await counts();
    const response = await harness.request('POST', '/v1/sweeps', spec);
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('validation_failed');
    expect(response.body.error.message).toBe(
      `1 of 3002 sweep points break a parameter rule; first: ${response.body.error.details[0].path}: ${response.body.error.details[0].rule}`,
    );
    expect(response.body.error.details).toHaveLength(1);
    expect(response.body.error.details[0].path).toMatch(
      /^design \(point \d+: growthRate=0\.0015, emtPlasticity=10\)$/,
    );
    expect(Number(/point (\d+)/.exec(response.body.error.details[0].path)![1])).toBeGreaterThanOrEqual(1_000);
    expect(response.body.error.details[0].rule).toContain('growthRate: too slow');
    expect(await counts()).toEqual(before);
  });

  it('queues the rest of the window after the reply; after a crash before any enqueue, the reconciler queues it', async () => {
    // 300 points × 2 patients in chunks of 1: a window of 1,000 chunks, 100 queued before the reply.
    const response = await harness.request('POST', '/v1/sweeps', sampledSpec(300, 8104, 2, 1));
    expect(response.status).toBe(202);
    await harness.app.sweeps.settled();
    const jobIds = async (sweepId: string) =>
      (await harness.queue.getJobs(['prioritized', 'waiting'], 0, -1))
        .map((j) => j.id!)
        .filter((id) => id.startsWith(`${sweepId}.`))
        .sort();
    const window = (sweepId: string, n: number) =>
      Array.from({ length: n }, (_, chunkIndex) => chunkJobId({ sweepId, chunkIndex })).sort();
    expect(await jobIds(response.body.id)).toEqual(window(response.body.id, 600));

    // A crash between the commit and the first enqueue: the sweep and its pending chunks, no jobs.
    const appDatabase = connectDatabase(inject('appDatabaseUrl'));
    try {
      const parsed = parseSweepSpec(sampledSpec(300, 8105, 2, 1), defaultSweepLimits);
      if (!parsed.ok) throw new Error('spec rejected');
      const crashed = await createSweep(forTenant(appDatabase.pool, harness.tenantId), {
        tenantId: harness.tenantId,
        name: 'crashed before enqueue',
        priority: 'normal',
        modelId: parsed.spec.model,
        codeVersion: 'test',
        spec: parsed.spec,
        axes: ['dose', 'immuneKill'],
        referenceArm: null,
        cohortSeed: parsed.spec.cohort.seed,
        patients: 2,
        chunkSize: 1,
        chunkWindow: defaultSweepLimits.chunkWindow ?? 1_000,
        points: expandSweep(parsed.spec).points.map((p) => ({
          ...p,
          pointHash: tenantPointHash(harness.tenantId, p.pointHash),
        })),
      });
      expect(crashed.chunks).toHaveLength(600);
      expect(await jobIds(crashed.id)).toEqual([]);
      const report = await harness.app.sweeps.reconcile();
      expect(report.errors).toEqual([]);
      expect(await jobIds(crashed.id)).toEqual(window(crashed.id, 600));
      expect(await jobIds(response.body.id)).toEqual(window(response.body.id, 600));
      await harness.request('POST', `/v1/sweeps/${crashed.id}/cancel`);
    } finally {
      await appDatabase.close();
    }
    await harness.request('POST', `/v1/sweeps/${response.body.id}/cancel`);
  });
});

describe('a tenant at its cap of active sweeps', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness({ maxActiveSweeps: 1 });
  });
  afterAll(async () => {
    await harness?.stop();
  });

  it('still gets the 400 for an invalid point before the 429 for the cap, and nothing is written', async () => {
    const active = await harness.submit(sampledSpec(10, 8201));
    const { rows: before } = await harness.pool.query('select count(*)::int as n from sweeps');
    const invalid = await harness.request('POST', '/v1/sweeps', lateInvalidSpec());
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.code).toBe('validation_failed');
    expect(invalid.body.error.details[0].rule).toContain('growthRate: too slow');
    const capped = await harness.request('POST', '/v1/sweeps', sampledSpec(10, 8202));
    expect(capped.status).toBe(429);
    expect(capped.body.error.message).toContain('already has 1 queued or running sweeps (maxActiveSweeps 1)');
    const { rows: after } = await harness.pool.query('select count(*)::int as n from sweeps');
    expect(after[0].n).toBe(before[0].n);
    await harness.request('POST', `/v1/sweeps/${active.id}/cancel`);
  });
});
