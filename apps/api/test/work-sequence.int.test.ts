import { defaultSweepLimits } from '@frontline/contracts';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness, type sweepOutcomes } from './support/harness.js';
import { expectRowsEqualTheModel } from './support/model-outcomes.js';
import { expectTalliesEqualRawRows } from './support/tally-census.js';

/** A grid of `dose` values × 2 immunity levels: 2·doses points, cheap patients. */
function smallPointsSpec(seed: number, doses: number, patients: number, chunkSize: number) {
  return {
    name: `work sequence ${seed}`,
    model: 'lf-tid@1',
    design: {
      kind: 'grid',
      axes: { dose: Array.from({ length: doses }, (_, i) => i / 4), immuneKill: [0.035, 0.1] },
    },
    cohort: { patients, seed, chunkSize },
    params: { horizonDays: 120 },
  };
}

/**
 * Every (point, patient) stored once, equal to the model, every chunk done once covering the plan, and
 * the sweep's tables (added per segment at ingest) equal to its rows.
 */
async function expectExactlyOnce(harness: Harness, sweepId: string, points: number, patients: number) {
  const rows = await expectRowsEqualTheModel(harness, sweepId);
  expect(rows).toHaveLength(points * patients);
  expect(new Set(rows.map((r) => `${r.point_index}:${r.patient_index}`)).size).toBe(points * patients);
  const { rows: chunks } = await harness.pool.query(
    `select count(*)::int as chunks, sum(work_end - work_start)::int as work,
            count(*) filter (where status <> 'done')::int as "notDone"
     from chunks where sweep_id = $1`,
    [sweepId],
  );
  expect(chunks[0]).toMatchObject({ work: points * patients, notDone: 0 });
  await expectTalliesEqualRawRows(harness, sweepId);
  const { rows: tallied } = await harness.pool.query(
    'select count(*)::int as points, sum(patients)::int as patients from sweep_point_tallies where sweep_id = $1',
    [sweepId],
  );
  expect(tallied[0]).toEqual({ points, patients: points * patients });
  return { rows, chunks: chunks[0].chunks as number };
}

/** The jobs of one sweep Redis holds now (waiting, prioritized, active, delayed). */
async function jobsInRedis(harness: Harness, sweepId: string): Promise<number> {
  const jobs = await harness.queue.getJobs(['waiting', 'prioritized', 'active', 'delayed'], 0, -1);
  return jobs.filter((j) => j?.id?.startsWith(`${sweepId}.`)).length;
}

/** Worker slots of one worker process with 2 threads (concurrency 2 × threads). */
const workerSlots = 4;

/** Model outcomes of a sweep, without the point ids (which differ between tenants). */
const comparable = (rows: Awaited<ReturnType<typeof sweepOutcomes>>) =>
  rows.map(({ point_id: _point, ...row }) => row);

describe('work sequence: chunks span small points and split large ones', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterEach(async () => {
    await harness.stopWorkers();
  });
  afterAll(async () => {
    await harness?.stop();
  });

  it('packs 40 points × 2 patients into 4 chunks: rows exactly once, identical to one point per chunk', async () => {
    await harness.startWorker(2);
    const packed = await harness.submit(smallPointsSpec(7101, 20, 2, 25));
    expect(packed).toMatchObject({ points: 40, simulations: 80, reused: 0 });
    await harness.waitForSweep(packed.id, (s) => s.status === 'completed');
    const { rows, chunks } = await expectExactlyOnce(harness, packed.id, 40, 2);
    expect(chunks).toBe(4); // ⌈80 / 25⌉, each spanning up to 13 points

    // The same spec from another tenant (no reuse across tenants), one point per chunk.
    const otherKey = await harness.createKey('submit', `tenant-other-${packed.id.slice(0, 8)}`);
    const single = await harness.request('POST', '/v1/sweeps', smallPointsSpec(7101, 20, 2, 2), {
      key: otherKey,
    });
    expect(single.status).toBe(202);
    await harness.waitForSweep(single.body.id, (s) => s.status === 'completed', 150_000, otherKey);
    const separate = await expectExactlyOnce(harness, single.body.id, 40, 2);
    expect(separate.chunks).toBe(40);
    expect(comparable(separate.rows)).toEqual(comparable(rows));
    const { body } = await harness.request('GET', `/v1/sweeps/${packed.id}`);
    expect(body.progress).toEqual({ done: 80, total: 80, failed: 0, reused: 0 });
  });

  it('splits a large point across chunks: 1 point × 300 patients in chunks of 70', async () => {
    await harness.startWorker(2);
    const spec = { ...smallPointsSpec(7102, 1, 300, 70), design: { kind: 'grid', axes: { dose: [1] } } };
    const created = await harness.submit(spec);
    await harness.waitForSweep(created.id, (s) => s.status === 'completed');
    const { chunks } = await expectExactlyOnce(harness, created.id, 1, 300);
    expect(chunks).toBe(5);
    const { rows } = await harness.pool.query(
      'select work_start::int as s, work_end::int as e from chunks where sweep_id = $1 order by chunk_index',
      [created.id],
    );
    expect(rows).toEqual([
      { s: 0, e: 70 },
      { s: 70, e: 140 },
      { s: 140, e: 210 },
      { s: 210, e: 280 },
      { s: 280, e: 300 },
    ]);
  });
});

describe('dry run: POST /v1/sweeps?dryRun=true plans and creates nothing', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(async () => {
    await harness?.stop();
  });

  const rowCounts = async () => {
    const { rows } = await harness.pool.query(
      `select (select count(*)::int from sweeps) as sweeps, (select count(*)::int from sweep_points) as "sweepPoints",
              (select count(*)::int from chunks) as chunks, (select count(*)::int from points) as points,
              (select count(*)::int from outcomes) as outcomes`,
    );
    return rows[0];
  };
  const plannedChunks = async (id: string) =>
    (await harness.pool.query('select chunks_planned as n from sweeps where id = $1', [id])).rows[0].n;

  it('answers the real submission’s simulations, reuse and chunks, with nothing written', async () => {
    const spec = smallPointsSpec(7301, 8, 30, 50); // 16 points × 30 patients
    const before = await rowCounts();
    const dry = await harness.request('POST', '/v1/sweeps?dryRun=true', spec);
    expect(dry.status).toBe(200);
    expect(dry.body).toEqual({
      dryRun: true,
      points: 16,
      patients: 30,
      simulations: 480,
      reused: 0,
      toSimulate: 480,
      chunks: 10,
      chunkSize: 50,
      storageBytes: { full: 480 * 275, summary: 480 * 11 },
      recentSimulationsPerSecond: null,
      etaSeconds: null,
      warnings: [],
    });
    expect(await rowCounts()).toEqual(before);
    expect(await harness.queue.getJobCounts('prioritized', 'waiting')).toEqual({
      prioritized: 0,
      waiting: 0,
    });

    const created = await harness.submit(spec);
    expect(created).toMatchObject({ simulations: 480, reused: 0 });
    expect(await plannedChunks(created.id)).toBe(10);
    await harness.startWorker(2);
    await harness.waitForSweep(created.id, (s) => s.status === 'completed');

    // 10 more patients per point: the 480 stored are reused, 160 run in ⌈160 / 50⌉ chunks.
    const larger = { ...spec, cohort: { ...spec.cohort, patients: 40 } };
    const beforeLarger = await rowCounts();
    const dryLarger = await harness.request('POST', '/v1/sweeps?dryRun=true', larger);
    expect(dryLarger.body).toMatchObject({ simulations: 640, reused: 480, toSimulate: 160, chunks: 4 });
    // The worker just finished 480 simulations: the ETA divides by that recent rate.
    expect(dryLarger.body.recentSimulationsPerSecond).toBe(480 / 60);
    expect(dryLarger.body.etaSeconds).toBe(160 / (480 / 60));
    expect(await rowCounts()).toEqual(beforeLarger);
    const real = await harness.submit(larger);
    expect(real).toMatchObject({ simulations: 640, reused: 480 });
    expect(await plannedChunks(real.id)).toBe(4);
    await harness.waitForSweep(real.id, (s) => s.status === 'completed');
    await harness.stopWorkers();
  });

  it('rejects a dryRun that is not true or false with 400 naming it, and checks limits as submit does', async () => {
    const bad = await harness.request('POST', '/v1/sweeps?dryRun=yes', smallPointsSpec(7302, 1, 1, 1));
    expect(bad.status).toBe(400);
    expect(bad.body.error.details).toEqual([{ path: 'dryRun', rule: 'must be true or false' }]);
    const tooBig = await harness.request(
      'POST',
      '/v1/sweeps?dryRun=true',
      smallPointsSpec(7303, 1, 2_000_000, 1),
    );
    expect(tooBig.status).toBe(422);
    expect(tooBig.body.error.message).toContain('maxPatientsPerPoint');
  });
});

describe('enqueue window: Redis holds a bounded part of a sweep, refilled after Redis loses it', () => {
  const window = 4;
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness({
      limits: { ...defaultSweepLimits, chunkWindow: window },
      reconcileIntervalMs: 300,
    });
  });
  afterEach(async () => {
    await harness.stopWorkers();
  });
  afterAll(async () => {
    await harness?.stop();
  });

  it('never holds more than the window of a sweep’s jobs in Redis or pending rows in Postgres', async () => {
    // 24 points × 10 patients in chunks of 8: 30 chunks through a window of 4.
    const created = await harness.submit(smallPointsSpec(7201, 12, 10, 8));
    const { rows: atSubmit } = await harness.pool.query(
      'select chunks_planned as planned, chunks_created as created from sweeps where id = $1',
      [created.id],
    );
    expect(atSubmit[0]).toEqual({ planned: 30, created: window });
    expect(await jobsInRedis(harness, created.id)).toBe(window);

    await harness.startWorker(2);
    const samples: { jobs: number; pending: number }[] = [];
    for (;;) {
      const jobs = await jobsInRedis(harness, created.id);
      const { rows } = await harness.pool.query(
        `select (select count(*)::int from chunks where sweep_id = $1 and status = 'pending') as pending,
                (select status from sweeps where id = $1) as status`,
        [created.id],
      );
      samples.push({ jobs, pending: rows[0].pending });
      if (rows[0].status === 'completed') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    console.info(`window samples: ${samples.length}, max jobs ${Math.max(...samples.map((s) => s.jobs))}`);
    expect(samples.length).toBeGreaterThan(3);
    // Pending chunks never pass the window (the top-up is in the transaction that marks one done);
    // a finished chunk's job leaves Redis just after its successor's arrives, so Redis holds at most
    // the window plus one per worker slot.
    expect(Math.max(...samples.map((s) => s.jobs))).toBeLessThanOrEqual(window + workerSlots);
    expect(Math.max(...samples.map((s) => s.pending))).toBeLessThanOrEqual(window);
    const { chunks } = await expectExactlyOnce(harness, created.id, 24, 10);
    expect(chunks).toBe(30);
  });

  it('refills after Redis is emptied mid-sweep: 0 lost, 0 duplicated', async () => {
    const created = await harness.submit(smallPointsSpec(7202, 12, 10, 8));
    await harness.startWorker(1);
    await harness.waitForSweep(created.id, (s) => s.progress.done >= 16);
    await harness.queue.obliterate({ force: true });
    const done = await harness.waitForSweep(created.id, (s) => s.status === 'completed');
    expect(done.progress).toEqual({ done: 240, total: 240, failed: 0, reused: 0 });
    const { chunks } = await expectExactlyOnce(harness, created.id, 24, 10);
    expect(chunks).toBe(30);
    const { rows } = await harness.pool.query(
      `select count(*)::int as n from outcomes o join sweep_points sp on sp.point_id = o.point_id
       where sp.sweep_id = $1 and o.cohort_seed = 7202`,
      [created.id],
    );
    expect(rows[0].n).toBe(240);
  });
});
