import { kaplanMeier, survivalEstimateAt } from '@frontline/stats';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './support/harness.js';
import { expectTalliesEqualRawRows } from './support/tally-census.js';

const target = 0.04;
const initial = 100;
const max = 400;
const at = 300;

/**
 * dose × growthRate on a 365-day follow-up (stepDays 1: cheap patients). S(300) from 400 patients of
 * seed 17: dose 0/growth 0.1 ≈ 0.01 and dose 2/growth 0.02 ≈ 0.99 (near 0 and 1: precise after round 0),
 * growth 0.02 (S ≈ 0.94–0.99) precise at 100 too; growth 0.03 at dose 0 (≈ 0.72) and growth 0.1 at dose 2 (≈ 0.12) take rounds to 400.
 */
function adaptiveSpec(seed: number) {
  return {
    name: `adaptive ${seed}`,
    model: 'lf-tid@1',
    design: { kind: 'grid', axes: { dose: [0, 2], growthRate: [0.02, 0.03, 0.1] } },
    cohort: {
      patients: { initial, max },
      seed,
      chunkSize: 50,
      precision: { endpoint: 'os', metric: 'survivalAt', at, halfWidth: target },
    },
    params: { horizonDays: 365, stepDays: 1 },
  };
}

interface PointResult {
  point_index: number;
  axis_values: { dose: number; growthRate: number };
  cohort_patients: number;
  cohort_rounds: number;
  half_width: number | null;
  cohort_stop: string;
  rows: number;
  first: number;
  last: number;
  tallied: number;
}

/** Per point: the adaptive bookkeeping, its stored rows (count and index range) and its tabled patients. */
async function pointResults(harness: Harness, sweepId: string): Promise<PointResult[]> {
  const { rows } = await harness.pool.query<PointResult>(
    `select sp.point_index, sp.axis_values, sp.cohort_patients, sp.cohort_rounds, sp.half_width, sp.cohort_stop,
            (select count(*)::int from outcomes o where o.point_id = sp.point_id and o.cohort_seed = s.cohort_seed) as rows,
            (select min(patient_index) from outcomes o where o.point_id = sp.point_id and o.cohort_seed = s.cohort_seed) as first,
            (select max(patient_index) from outcomes o where o.point_id = sp.point_id and o.cohort_seed = s.cohort_seed) as last,
            (select patients from sweep_point_tallies pt where pt.sweep_id = s.id and pt.point_id = sp.point_id) as tallied
     from sweep_points sp join sweeps s on s.id = sp.sweep_id where sp.sweep_id = $1 order by sp.point_index`,
    [sweepId],
  );
  return rows;
}

/** S(at) and its Greenwood half-width recomputed from a point's stored rows. */
async function halfWidthFromRows(harness: Harness, sweepId: string, pointIndex: number) {
  const { rows } = await harness.pool.query<{ os_days: number; os_event: boolean }>(
    `select o.os_step * (p.params->>'stepDays')::float8 as os_days, o.os_event
     from sweep_points sp join sweeps s on s.id = sp.sweep_id join points p on p.id = sp.point_id
     join outcomes o on o.point_id = sp.point_id and o.cohort_seed = s.cohort_seed
     where sp.sweep_id = $1 and sp.point_index = $2`,
    [sweepId, pointIndex],
  );
  const curve = kaplanMeier({ time: rows.map((r) => r.os_days), event: rows.map((r) => r.os_event) });
  const { stdErr } = survivalEstimateAt(curve, at);
  return Number.isFinite(stdErr) ? 1.959963984540054 * stdErr : 0;
}

describe('adaptive cohorts: rounds until the 95% CI half-width meets the target or max', () => {
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

  it('stops each point when precise or at max, stores every patient once, and runs identically on 1 and 2 threads', async () => {
    // The dry run reports the bound: points × max.
    const dry = await harness.request('POST', '/v1/sweeps?dryRun=true', adaptiveSpec(17));
    expect(dry.body).toMatchObject({ dryRun: true, points: 6, patients: max, simulations: 6 * max });

    await harness.startWorker(1);
    const submitted = await harness.submit(adaptiveSpec(17));
    expect(submitted).toMatchObject({ points: 6, simulations: 6 * initial, reused: 0 });
    const done = await harness.waitForSweep(submitted.id, (s) => s.status === 'completed');
    const points = await pointResults(harness, submitted.id);

    for (const p of points) {
      // The rule's end: precise, or at max (then the half-width may exceed the target).
      if (p.cohort_stop === 'precise') expect(p.half_width).toBeLessThanOrEqual(target);
      else expect(p).toMatchObject({ cohort_stop: 'max', cohort_patients: max });
      // Exactly once: patients 0 … n−1 stored once each, and the table holds n patients.
      expect(p).toMatchObject({ rows: p.cohort_patients, first: 0, last: p.cohort_patients - 1 });
      expect(p.tallied).toBe(p.cohort_patients);
      // Doubling from initial: 100, 200, 400 after rounds 1, 2, 3.
      expect(p.cohort_patients).toBe(Math.min(max, initial * 2 ** (p.cohort_rounds - 1)));
      // The half-width the engine stored is the one the rows give.
      expect(p.half_width ?? 0).toBeCloseTo(
        await halfWidthFromRows(harness, submitted.id, p.point_index),
        12,
      );
    }
    const at = (dose: number, growthRate: number) =>
      points.find((p) => p.axis_values.dose === dose && p.axis_values.growthRate === growthRate)!;
    // Survival near 0 (dose 0, fast growth) and near 1 (dose 2, slow growth): precise after round 0.
    expect(at(0, 0.1)).toMatchObject({ cohort_rounds: 1, cohort_patients: initial, cohort_stop: 'precise' });
    expect(at(2, 0.02)).toMatchObject({ cohort_rounds: 1, cohort_patients: initial, cohort_stop: 'precise' });
    expect(points.map((p) => p.cohort_patients)).toEqual([100, 400, 100, 100, 100, 400]);
    // Dose 0 / growth 0.03 (S ≈ 0.72) is still too wide at 400 patients: it stops at max.
    expect(points.map((p) => p.cohort_stop)).toEqual([
      'precise',
      'max',
      'precise',
      'precise',
      'precise',
      'precise',
    ]);

    const used = points.reduce((sum, p) => sum + p.cohort_patients, 0);
    expect(used).toBe(1200);
    expect(used).toBeLessThan(6 * max); // the fixed cohort at max: 2,400
    expect(done.progress).toEqual({
      done: used,
      total: used,
      failed: 0,
      reused: 0,
      cohort: { round: 2, pointsRunning: 0 },
    });
    await expectTalliesEqualRawRows(harness, submitted.id);
    // The points results report each point's patients used, rounds, half-width reached and why it stopped.
    const { body: results } = await harness.request('GET', `/v1/sweeps/${submitted.id}/points`);
    expect(
      (results as { points: { patients: number; cohort: object }[] }).points.map((p) => ({
        patients: p.patients,
        ...p.cohort,
      })),
    ).toEqual(
      points.map((p) => ({
        patients: p.cohort_patients,
        rounds: p.cohort_rounds,
        halfWidth: p.half_width,
        stop: p.cohort_stop,
      })),
    );

    // Another tenant (no reuse across tenants), two worker threads: the same rounds and the same tables.
    await harness.stopWorkers();
    await harness.startWorker(2);
    const otherKey = await harness.createKey('submit', `tenant-adaptive-${submitted.id.slice(0, 8)}`);
    const { status, body } = await harness.request('POST', '/v1/sweeps', adaptiveSpec(17), { key: otherKey });
    expect(status).toBe(202);
    const again = body as { id: string };
    await harness.waitForSweep(again.id, (s) => s.status === 'completed', 150_000, otherKey);
    const rerun = await pointResults(harness, again.id);
    const decisions = (ps: PointResult[]) =>
      ps.map(({ cohort_patients, cohort_rounds, half_width, cohort_stop }) => ({
        cohort_patients,
        cohort_rounds,
        half_width,
        cohort_stop,
      }));
    expect(decisions(rerun)).toEqual(decisions(points));
    const tables = async (sweepId: string) =>
      (
        await harness.pool.query(
          `select sp.point_index, t.endpoint, t.counts from sweep_survival_tallies t
           join sweep_points sp on sp.sweep_id = t.sweep_id and sp.point_id = t.point_id
           where t.sweep_id = $1 order by sp.point_index, t.endpoint`,
          [sweepId],
        )
      ).rows;
    expect(await tables(again.id)).toEqual(await tables(submitted.id));
  });
});
