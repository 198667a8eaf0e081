import {
  chunkRecording,
  completeChunk,
  deleteSweep,
  failChunk,
  loadChunk,
  type OutcomeRecord,
  pointParamsOf,
  recordChunk,
} from '@frontline/db';
import { type ModelId, type ParamsOf, simulateModelPatient } from '@frontline/sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './support/harness.js';
import { deleteSweepOutcomes } from './support/model-outcomes.js';
import { expectTalliesEqualRawRows } from './support/tally-census.js';

function spec(seed: number, model: ModelId) {
  return {
    name: `tallies ${seed}`,
    model,
    design: { kind: 'grid', axes: { dose: [0, 8] } },
    cohort: { patients: 30, seed, chunkSize: 12 },
    params: { horizonDays: 240 },
  };
}

/** Play a worker for one chunk: simulate each segment's patients, then complete it (as chunk-processor does). */
async function runChunk(harness: Harness, sweepId: string, chunkIndex: number) {
  const chunk = (await loadChunk(harness.pool, sweepId, chunkIndex))!;
  const outcomes = chunk.segments.map((segment) => {
    const records: OutcomeRecord[] = [];
    for (let i = segment.patientStart; i < segment.patientEnd; i++)
      records.push(
        simulateModelPatient(
          segment.point.modelId as ModelId,
          pointParamsOf(segment.point) as ParamsOf<ModelId>,
          {
            cohortSeed: chunk.cohortSeed,
            patientIndex: i,
          },
        ),
      );
    return records;
  });
  // Recorded as a simulation thread does (on a copy: recording rounds in place), and structured-cloned
  // as it crosses threads (packed counts arrive as plain Uint8Arrays).
  const recorded = structuredClone(recordChunk(chunkRecording(sweepId, chunk), structuredClone(outcomes)));
  const done = () => completeChunk(harness.pool, { sweepId, chunkIndex, workerHost: 'test' }, recorded);
  return { done, outcomes, segments: chunk.segments };
}

/** Resolves once at least `n` sessions of the test database wait on a lock. */
async function sessionsWaitingOnLocks(harness: Harness, n: number) {
  for (let i = 0; i < 400; i++) {
    const { rows } = await harness.pool.query<{ n: number }>(
      `select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and datname = current_database()`,
    );
    if (rows[0]!.n >= n) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`fewer than ${n} sessions waiting on a lock`);
}

describe('survival tables and point summaries, kept at ingest exactly once', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness(); // no worker: the test completes the chunks itself
  });
  afterAll(async () => {
    await harness?.stop();
  });

  for (const model of ['lf-tid@1', 'lf-tid@2'] as const)
    it(`counts a chunk completed twice, and two copies completing at once, only once (${model})`, async () => {
      const created = await harness.submit(spec(model === 'lf-tid@1' ? 13_001 : 13_002, model));
      const { rows } = await harness.pool.query<{ n: number }>(
        'select count(*)::int as n from chunks where sweep_id = $1',
        [created.id],
      );
      expect(rows[0]!.n).toBe(5);
      // Chunk 0: a retry after success. Chunk 2 (patients 24–29 of point 0 and 0–5 of point 1): a
      // duplicated job, both copies finishing together.
      const first = await runChunk(harness, created.id, 0);
      expect((await first.done()).inserted).toBe(12);
      expect((await first.done()).inserted).toBe(0);
      await (await runChunk(harness, created.id, 1)).done();
      const spanning = await runChunk(harness, created.id, 2);
      expect(spanning.segments.map((s) => [s.point.pointIndex, s.patientStart, s.patientEnd])).toEqual([
        [0, 24, 30],
        [1, 0, 6],
      ]);
      await Promise.all([spanning.done(), spanning.done()]);
      for (let c = 3; c < 5; c++) await (await runChunk(harness, created.id, c)).done();
      const { body } = await harness.request('GET', `/v1/sweeps/${created.id}`);
      expect(body.status).toBe('completed');
      await expectTalliesEqualRawRows(harness, created.id);
      const { rows: patients } = await harness.pool.query<{ n: number }>(
        'select sum(patients)::int as n from sweep_point_tallies where sweep_id = $1',
        [created.id],
      );
      expect(patients[0]!.n).toBe(60);
    });

  it('adds chunks of many segments that share a point, completing at once, each patient exactly once', async () => {
    // 40 points × 3 patients in chunks of 50: chunk 0 holds points 0–15 and 2 patients of point 16, chunk 1
    // the last patient of point 16, points 17–32 and 1 patient of point 33, chunk 2 the rest. All three
    // complete concurrently (each on its own connection), so two of them merge into the same rows at once.
    const created = await harness.submit({
      ...spec(13_004, 'lf-tid@1'),
      design: {
        kind: 'grid',
        axes: { dose: [0, 1, 2, 3, 4, 5, 6, 7], immuneKill: [0.01, 0.02, 0.035, 0.05, 0.1] },
      },
      cohort: { patients: 3, seed: 13_004, chunkSize: 50 },
    });
    const chunks = await Promise.all([0, 1, 2].map((c) => runChunk(harness, created.id, c)));
    expect(chunks.map((c) => c.segments.length)).toEqual([17, 18, 7]);
    expect(chunks[0]!.segments.at(-1)!.point.pointId).toBe(chunks[1]!.segments[0]!.point.pointId);
    expect(chunks[1]!.segments.at(-1)!.point.pointId).toBe(chunks[2]!.segments[0]!.point.pointId);
    await Promise.all(chunks.map((c) => c.done()));
    const { body } = await harness.request('GET', `/v1/sweeps/${created.id}`);
    expect(body.status).toBe('completed');
    await expectTalliesEqualRawRows(harness, created.id);
    const { rows } = await harness.pool.query<{ points: number; patients: number }>(
      'select count(*)::int as points, sum(patients)::int as patients from sweep_point_tallies where sweep_id = $1',
      [created.id],
    );
    expect(rows[0]).toEqual({ points: 40, patients: 120 });
  });

  it('seeds a resubmitted sweep from the stored rows, and a partly stored one from its reused patients only', async () => {
    const base = spec(13_003, 'lf-tid@1');
    const first = await harness.submit(base);
    for (let c = 0; c < 5; c++) await (await runChunk(harness, first.id, c)).done();
    const again = await harness.submit(base);
    expect(again).toMatchObject({ status: 'completed', reused: 60 });
    await expectTalliesEqualRawRows(harness, again.id);
    const larger = await harness.submit({ ...base, cohort: { ...base.cohort, patients: 45 } });
    expect(larger).toMatchObject({ status: 'queued', reused: 60, simulations: 90 });
    const { rows } = await harness.pool.query<{ n: number }>(
      'select count(*)::int as n from chunks where sweep_id = $1',
      [larger.id],
    );
    for (let c = 0; c < rows[0]!.n; c++) await (await runChunk(harness, larger.id, c)).done();
    await expectTalliesEqualRawRows(harness, larger.id);
  });

  it('gives identical curves, medians, log-rank and points for summary and full runs of one spec; summary exports 409', async () => {
    const base = {
      ...spec(13_004, 'lf-tid@2'),
      design: { kind: 'grid', axes: { dose: [0, 4, 8] } },
      referenceArm: { dose: 0 },
    };
    const runAll = async (id: string) => {
      const { rows } = await harness.pool.query<{ n: number }>(
        'select count(*)::int as n from chunks where sweep_id = $1',
        [id],
      );
      for (let c = 0; c < rows[0]!.n; c++) await (await runChunk(harness, id, c)).done();
    };
    // Summary first: it stores no rows, so the full run after it simulates everything again.
    const summary = await harness.submit({ ...base, outcomes: 'summary' });
    await runAll(summary.id);
    const { rows: stored } = await harness.pool.query<{ n: number }>(
      `select count(*)::int as n from outcomes o join sweep_points sp on sp.point_id = o.point_id
       join sweeps s on s.id = sp.sweep_id and o.cohort_seed = s.cohort_seed
       where sp.sweep_id = $1`,
      [summary.id],
    );
    expect(stored[0]!.n).toBe(0);
    const full = await harness.submit({ ...base, outcomes: 'full' });
    expect(full.reused).toBe(0);
    await runAll(full.id);
    await expectTalliesEqualRawRows(harness, full.id);
    // A later summary sweep reuses: rows of the full one (or the summary one's tables).
    const again = await harness.submit({ ...base, outcomes: 'summary', name: 'tallies again' });
    expect(again).toMatchObject({ status: 'completed', reused: 90 });

    const results = async (id: string) => {
      const { body: sweep } = await harness.request('GET', `/v1/sweeps/${id}`);
      // One request at a time: a key may have only 4 heavy requests in flight (HEAVY_PER_KEY).
      const survival = [];
      for (const endpoint of ['os', 'pfs', 'mfs'])
        survival.push(
          (await harness.request('GET', `/v1/sweeps/${id}/survival?groupBy=dose&endpoint=${endpoint}`)).body,
        );
      const { body: points } = await harness.request('GET', `/v1/sweeps/${id}/points`);
      return {
        outcomes: sweep.outcomes,
        survival: survival.map(({ sweepId: _s, ...rest }) => rest),
        points: { ...points, sweepId: undefined },
      };
    };
    const fromSummary = await results(summary.id);
    const fromFull = await results(full.id);
    const fromReuse = await results(again.id);
    expect(fromSummary.outcomes).toBe('summary');
    expect(fromFull.outcomes).toBe('full');
    expect(fromSummary.survival[0].groups[1].logRank).toEqual(expect.objectContaining({ df: 1 }));
    expect(fromSummary.survival[0].groups[2].curve.time.length).toBeGreaterThan(1);
    expect({ ...fromSummary, outcomes: 'full' }).toEqual(fromFull);
    expect(fromReuse).toEqual(fromSummary);

    // With the rows gone, a summary sweep copies the (complete) tables of the first summary sweep.
    await deleteSweepOutcomes(harness, full.id);
    const donated = await harness.submit({ ...base, outcomes: 'summary', name: 'tallies donated' });
    expect(donated).toMatchObject({ status: 'completed', reused: 90 });
    expect(await results(donated.id)).toEqual(fromSummary);
    // A full sweep cannot take tables for rows: it simulates.
    const fullAgain = await harness.submit({ ...base, outcomes: 'full', name: 'tallies full again' });
    expect(fullAgain).toMatchObject({ status: 'queued', reused: 0 });

    const exported = await fetch(`${harness.apiUrl}/v1/sweeps/${summary.id}/outcomes?format=csv`, {
      headers: harness.authHeaders,
    });
    expect(exported.status).toBe(409);
    const { error } = (await exported.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe('conflict');
    expect(error.message).toMatch(/outcomes: summary/);
  });

  it('leaves no counts behind when a failed sweep is deleted while a worker adds a chunk (no foreign key)', async () => {
    const created = await harness.submit({ ...spec(13_006, 'lf-tid@1'), outcomes: 'summary' });
    const tables = async () =>
      (
        await harness.pool.query<{ n: number }>(
          `select (select count(*) from sweep_survival_tallies where sweep_id = $1)
                + (select count(*) from sweep_point_tallies where sweep_id = $1) as n`,
          [created.id],
        )
      ).rows[0]!.n;
    const kept = await runChunk(harness, created.id, 0);
    // Another chunk fails the sweep; chunk 0 is still pending, its worker about to add its counts.
    await failChunk(harness.pool, { sweepId: created.id, chunkIndex: 1, workerHost: 'test' }, 'test failure');
    // Hold chunk 0's first point's advisory lock: its completion stops after taking the sweep's row
    // `for key share` and before adding its counts.
    const holder = await harness.pool.connect();
    await holder.query('begin');
    await holder.query('select pg_advisory_xact_lock(hashtext($1), $2)', [
      created.id,
      kept.segments[0]!.point.pointId,
    ]);
    const completing = kept.done();
    await sessionsWaitingOnLocks(harness, 1);
    // The delete waits for the completion's key-share lock on the sweep's row…
    const deleting = deleteSweep(harness.pool, created.id);
    await sessionsWaitingOnLocks(harness, 2);
    await holder.query('commit');
    holder.release();
    // …so the counts land first, and the delete removes them with the rest.
    expect(await completing).toEqual({ inserted: 0, sweepStatus: 'failed', next: [] });
    expect(await deleting).toMatchObject({ outcome: 'deleted', deleted: { sweeps: 1, chunks: 5 } });
    expect(await tables()).toBe(0);
    // Counts for a sweep already deleted add nothing (no chunk row left to move to done).
    expect(await kept.done()).toMatchObject({ inserted: 0, sweepStatus: 'cancelled' });
    expect(await tables()).toBe(0);
  });
  it('deletes a failed sweep while a chunk of it completes, the delete waiting for the chunk (no deadlock)', async () => {
    const created = await harness.submit({ ...spec(13_007, 'lf-tid@1'), outcomes: 'summary' });
    await failChunk(harness.pool, { sweepId: created.id, chunkIndex: 1, workerHost: 'test' }, 'test failure');
    // A completion of chunk 0 after its first statement: its row moved to done and held; the sweep's row
    // (for key share, with its counts) comes next.
    const completion = await harness.pool.connect();
    try {
      await completion.query('begin');
      await completion.query(`update chunks set status = 'done' where sweep_id = $1 and chunk_index = 0`, [
        created.id,
      ]);
      const deleting = deleteSweep(harness.pool, created.id);
      await sessionsWaitingOnLocks(harness, 1);
      // Had the delete taken the sweep's row before waiting for the chunk's, this would deadlock and Postgres
      // would abort one of the two (deadlock_timeout later).
      await completion.query('select from sweeps where id = $1 for key share', [created.id]);
      await completion.query('commit');
      expect(await deleting).toMatchObject({ outcome: 'deleted', deleted: { sweeps: 1, chunks: 5 } });
    } finally {
      completion.release();
    }
    const { rows } = await harness.pool.query<{ n: number }>(
      'select (select count(*) from chunks where sweep_id = $1) + (select count(*) from sweeps where id = $1) as n',
      [created.id],
    );
    expect(Number(rows[0]!.n)).toBe(0);
  });
});
