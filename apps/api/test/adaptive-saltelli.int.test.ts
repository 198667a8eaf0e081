import { sensitivityResponseSchema } from '@frontline/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './support/harness.js';

const samples = 16;
const initial = 20;
const max = 160;

/** A saltelli design over the mission axes on cheap patients (1-day steps, one year), fixed or adaptive cohort. */
function spec(cohort: 'fixed' | 'adaptive', halfWidth = 0.06) {
  return {
    name: `saltelli, ${cohort} cohort`,
    model: 'lf-tid@1',
    design: {
      kind: 'saltelli',
      samples,
      seed: 5,
      axes: {
        dose: { min: 0, max: 5 },
        immuneKill: { min: 0.01, max: 0.1, scale: 'log' },
        emtPlasticity: { min: 0.1, max: 10, scale: 'log' },
      },
    },
    cohort: {
      patients:
        cohort === 'fixed'
          ? initial
          : {
              initial,
              max,
            },
      seed: 31,
      chunkSize: 400,
      ...(cohort === 'adaptive'
        ? { precision: { endpoint: 'os', metric: 'survivalAt', at: 300, halfWidth } }
        : {}),
    },
    params: { horizonDays: 365, stepDays: 1 },
  };
}

describe('adaptive cohorts with a saltelli design', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
    await harness.startWorker(2);
  });
  afterAll(async () => {
    await harness?.stop();
  });

  it('runs the N·(d+2) points in rounds, and the indices’ cohort-noise share falls against the initial cohort', async () => {
    const indices = async (kind: 'fixed' | 'adaptive') => {
      const submitted = await harness.submit(spec(kind));
      expect(submitted).toMatchObject({ points: samples * 5, simulations: samples * 5 * initial });
      await harness.waitForSweep(submitted.id, (s) => s.status === 'completed');
      const { status, body } = await harness.request(
        'GET',
        `/v1/sweeps/${submitted.id}/sensitivity?endpoint=os&metric=survivalAt&at=300`,
      );
      expect(status).toBe(200);
      const { rows } = await harness.pool.query<{ patients: number }>(
        'select patients from sweep_point_tallies where sweep_id = $1',
        [submitted.id],
      );
      return {
        answer: sensitivityResponseSchema.parse(body),
        patients: rows.map((r) => r.patients),
      };
    };
    const fixed = await indices('fixed');
    const adaptive = await indices('adaptive');

    // The fixed run holds the initial cohort everywhere; the adaptive one added rounds where S(300) was wide.
    expect(fixed.patients).toEqual(Array(samples * 5).fill(initial));
    expect(Math.min(...adaptive.patients)).toBe(initial);
    expect(Math.max(...adaptive.patients)).toBeGreaterThan(initial);
    expect(adaptive.patients.every((n) => n <= max)).toBe(true);
    // Patient i is the same virtual patient in both runs, so the adaptive estimates only gain precision:
    // the mean within-point sampling variance, and with it the noise share, fall.
    expect(adaptive.answer.cohortNoise.meanWithinVariance).toBeLessThan(
      fixed.answer.cohortNoise.meanWithinVariance,
    );
    expect(adaptive.answer.cohortNoise.share).toBeLessThan(fixed.answer.cohortNoise.share);
    // A coarse target stops every point after round 0: its export holds 20 patients per point, although the
    // sweep above stored up to 160 of the same points and seed.
    const coarse = await harness.submit(spec('adaptive', 0.5));
    await harness.waitForSweep(coarse.id, (s) => s.status === 'completed');
    const response = await fetch(`${harness.apiUrl}/v1/sweeps/${coarse.id}/outcomes?format=ndjson`, {
      headers: harness.authHeaders,
    });
    const rowsPerPoint = new Map<number, number>();
    for (const line of (await response.text()).split('\n').filter(Boolean)) {
      const { pointIndex } = JSON.parse(line) as { pointIndex: number };
      rowsPerPoint.set(pointIndex, (rowsPerPoint.get(pointIndex) ?? 0) + 1);
    }
    expect(rowsPerPoint.size).toBe(samples * 5);
    expect(new Set(rowsPerPoint.values())).toEqual(new Set([initial]));
    console.log(
      '[adaptive-saltelli] patients',
      adaptive.patients.reduce((a, b) => a + b, 0),
      'of',
      samples * 5 * max,
      '; noise share fixed',
      fixed.answer.cohortNoise.share,
      'adaptive',
      adaptive.answer.cohortNoise.share,
    );
  });
});
