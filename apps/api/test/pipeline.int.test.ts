import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness, sweepOutcomes } from './support/harness.js';
import { deleteSweepOutcomes, expectRowsEqualTheModel } from './support/model-outcomes.js';
import { expectTalliesEqualRawRows } from './support/tally-census.js';

// Short horizons keep each patient cheap; the pipeline, not the model, is under test here.
function gridSpec(seed: number, patients: number, chunkSize: number) {
  return {
    name: `pipeline ${seed}`,
    // lf-tid@1 here: its outcomes stay bit-identical to the v1 kernel (model-v2.int.test.ts runs v2).
    model: 'lf-tid@1',
    design: { kind: 'grid', axes: { dose: [0, 2], immuneKill: [0.035, 0.1] } },
    cohort: { patients, seed, chunkSize },
    params: { horizonDays: 180 },
  };
}

/** Every (point, patient) outcome stored exactly once, each equal to the model's own output. */
async function expectExactlyTheModelOutcomes(
  harness: Harness,
  sweepId: string,
  points: number,
  patients: number,
) {
  const rows = await expectRowsEqualTheModel(harness, sweepId);
  expect(rows).toHaveLength(points * patients);
  expect(new Set(rows.map((r) => `${r.point_index}:${r.patient_index}`)).size).toBe(points * patients);
  // The sweep's survival tables and point summaries count each of these rows exactly once.
  await expectTalliesEqualRawRows(harness, sweepId);
  return rows;
}

describe('sweep pipeline: API → BullMQ → worker processes → Postgres', () => {
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

  it('stores every (point, patient) outcome exactly once, equal to the model', async () => {
    const worker = await harness.startWorker(2);
    const created = await harness.submit(gridSpec(1001, 60, 25));
    expect(created).toMatchObject({ status: 'queued', points: 4, patients: 60, simulations: 240, reused: 0 });
    const done = await harness.waitForSweep(created.id, (s) => s.status === 'completed');
    expect(done.progress).toEqual({ done: 240, total: 240, failed: 0, reused: 0 });
    await expectExactlyTheModelOutcomes(harness, created.id, 4, 60);
    const { rows: chunks } = await harness.pool.query(
      'select status, worker_host from chunks where sweep_id = $1 order by chunk_index',
      [created.id],
    );
    expect(chunks).toHaveLength(10); // 4 points × 60 patients in chunks of 25 spanning points → ⌈240 / 25⌉
    expect(chunks.every((c) => c.status === 'done' && c.worker_host.endsWith(`:${worker.pid}`))).toBe(true);
    // Provenance: model, code version, resolved spec, times, and the worker of every chunk.
    const { body: provenance } = await harness.request('GET', `/v1/sweeps/${created.id}`);
    expect(provenance).toMatchObject({ modelId: 'lf-tid@1', spec: { cohort: { patients: 60, seed: 1001 } } });
    expect(provenance.workers).toEqual([
      { host: expect.stringMatching(new RegExp(`:${worker.pid}$`)), chunks: 10 },
    ]);
    expect(Date.parse(provenance.createdAt)).toBeLessThanOrEqual(Date.parse(provenance.startedAt));
    expect(Date.parse(provenance.startedAt)).toBeLessThanOrEqual(Date.parse(provenance.finishedAt));
    await worker.stop();
  });

  it('gives identical rows with 1 worker thread and with 2 worker processes at another chunk size', async () => {
    const spec = gridSpec(1002, 50, 50);
    const single = await harness.startWorker(1);
    const first = await harness.submit(spec);
    await harness.waitForSweep(first.id, (s) => s.status === 'completed');
    const firstRows = await sweepOutcomes(harness, first.id);
    await single.stop();
    await deleteSweepOutcomes(harness, first.id);

    await Promise.all([harness.startWorker(1), harness.startWorker(1)]);
    const second = await harness.submit({ ...spec, cohort: { ...spec.cohort, chunkSize: 7 } });
    expect(second.reused).toBe(0);
    await harness.waitForSweep(second.id, (s) => s.status === 'completed');
    const secondRows = await sweepOutcomes(harness, second.id);
    const hosts = await harness.pool.query('select distinct worker_host from chunks where sweep_id = $1', [
      second.id,
    ]);
    expect(hosts.rowCount).toBe(2);
    expect(secondRows).toEqual(firstRows);
  });

  it('reuses stored outcomes: a resubmission simulates nothing, a larger cohort only the new patients', async () => {
    const spec = gridSpec(1003, 40, 20);
    await harness.startWorker(2);
    const first = await harness.submit(spec);
    await harness.waitForSweep(first.id, (s) => s.status === 'completed');

    const again = await harness.submit(spec);
    expect(again).toMatchObject({ status: 'completed', simulations: 160, reused: 160 });
    const { rows: noChunks } = await harness.pool.query(
      'select count(*)::int as n from chunks where sweep_id = $1',
      [again.id],
    );
    expect(noChunks[0].n).toBe(0);
    await expectTalliesEqualRawRows(harness, again.id); // seeded at submit from the stored rows

    const larger = await harness.submit({ ...spec, cohort: { ...spec.cohort, patients: 70 } });
    expect(larger).toMatchObject({ status: 'queued', simulations: 280, reused: 160 });
    // Only the missing patients 40–69 of each point enter the work sequence.
    const { rows: ranges } = await harness.pool.query(
      `select array_agg(missing_ranges order by point_index) as missing, sum(work_patients)::int as n,
              (select sum(work_end - work_start)::int from chunks where sweep_id = $1) as chunked
       from sweep_points where sweep_id = $1`,
      [larger.id],
    );
    expect(ranges[0]).toEqual({ missing: Array(4).fill([40, 70]), n: 4 * 30, chunked: 4 * 30 });
    await harness.waitForSweep(larger.id, (s) => s.status === 'completed');
    await expectExactlyTheModelOutcomes(harness, larger.id, 4, 70);
  });

  it('survives kill -9 of a worker mid-sweep: a new worker finishes, nothing lost or duplicated', async () => {
    const spec = { ...gridSpec(1004, 300, 20), params: { horizonDays: 365 } };
    const doomed = await harness.startWorker(2);
    const created = await harness.submit(spec);
    await harness.waitForSweep(created.id, (s) => s.progress.done >= 200, 120_000);
    await doomed.kill9();
    const { rows: before } = await harness.pool.query(
      `select count(*)::int as n from chunks where sweep_id = $1 and status = 'pending'`,
      [created.id],
    );
    expect(before[0].n).toBeGreaterThan(0);
    await harness.startWorker(2);
    await harness.waitForSweep(created.id, (s) => s.status === 'completed');
    await expectExactlyTheModelOutcomes(harness, created.id, 4, 300);
  });

  it('interleaves a small sweep submitted after a large one (fair share), and keeps no finished jobs in Redis', async () => {
    const worker = await harness.startWorker(1);
    const large = await harness.submit({ ...gridSpec(1006, 1500, 50), params: { horizonDays: 365 } });
    await harness.waitForSweep(large.id, (s) => s.progress.done >= 50, 120_000);
    const small = await harness.submit({
      ...gridSpec(1007, 50, 50),
      design: { kind: 'grid', axes: { dose: [1] } },
    });
    await harness.waitForSweep(small.id, (s) => s.status === 'completed');
    const largeNow = (await harness.request('GET', `/v1/sweeps/${large.id}`)).body;
    // 120 chunks of the large sweep were queued first; the small one waited for a handful at most.
    expect(largeNow.status).toBe('running');
    expect(largeNow.progress.done).toBeLessThan(largeNow.progress.total / 2);
    await harness.request('POST', `/v1/sweeps/${large.id}/cancel`);
    await worker.stop();
    const counts = await harness.queue.getJobCounts('completed', 'failed');
    expect(counts).toEqual({ completed: 0, failed: 0 });
  });

  it('on SIGTERM lets the running chunk finish and write, then exits 0', async () => {
    const worker = await harness.startWorker(1);
    const created = await harness.submit({
      name: 'graceful',
      design: { kind: 'grid', axes: { dose: [2] } },
      cohort: { patients: 4000, seed: 1008, chunkSize: 4000 },
    });
    await harness.waitForSweep(created.id, (s) => s.status === 'running', 60_000);
    // The one chunk (~1 s of CPU or more) is still running when the signal arrives.
    const { rows: running } = await harness.pool.query('select status from chunks where sweep_id = $1', [
      created.id,
    ]);
    expect(running).toEqual([{ status: 'pending' }]);
    const exitCode = await worker.stop();
    expect(exitCode).toBe(0);
    const { rows } = await harness.pool.query('select status from chunks where sweep_id = $1', [created.id]);
    expect(rows).toEqual([{ status: 'done' }]);
    expect((await sweepOutcomes(harness, created.id)).length).toBe(4000);
  });

  it('cancels mid-sweep: queued jobs removed, finished outcomes kept, status cancelled', async () => {
    const spec = { ...gridSpec(1005, 2000, 50), params: { horizonDays: 365 } };
    await harness.startWorker(2);
    const created = await harness.submit(spec);
    await harness.waitForSweep(created.id, (s) => s.progress.done >= 100, 120_000);
    const { status, body } = await harness.request('POST', `/v1/sweeps/${created.id}/cancel`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: 'cancelled', cancelled: true });
    // Running chunks end at their boundary; then nothing more is simulated for this sweep.
    await new Promise((r) => setTimeout(r, 3_000));
    const count = async () => (await sweepOutcomes(harness, created.id)).length;
    const settled = await count();
    expect(settled).toBeGreaterThanOrEqual(100);
    expect(settled).toBeLessThan(8_000);
    const waiting = await harness.queue.getJobs(['waiting', 'prioritized', 'delayed']);
    expect(waiting.filter((j) => j.data.sweepId === created.id)).toHaveLength(0);
    await new Promise((r) => setTimeout(r, 2_000));
    expect(await count()).toBe(settled);
    const again = await harness.request('POST', `/v1/sweeps/${created.id}/cancel`);
    expect(again.body).toMatchObject({ status: 'cancelled', cancelled: false });
  });
});
