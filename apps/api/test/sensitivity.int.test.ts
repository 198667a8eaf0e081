import { type SensitivityResponse, sensitivityResponseSchema } from '@frontline/contracts';
import { cohortNoiseShare, kaplanMeier, sobolIndices, survivalEstimateAt } from '@frontline/stats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './support/harness.js';

// Small enough for CI: N = 32 base rows × (3 axes + 2) = 160 points × 40 patients.
const samples = 32;
const designSeed = 11;
const axes = ['dose', 'immuneKill', 'emtPlasticity'];
const saltelliSpec = {
  name: 'sensitivity of the mission axes',
  design: {
    kind: 'saltelli',
    samples,
    seed: designSeed,
    axes: {
      dose: { min: 0, max: 5 },
      immuneKill: { min: 0.01, max: 0.1, scale: 'log' },
      emtPlasticity: { min: 0.1, max: 10, scale: 'log' },
    },
  },
  cohort: { patients: 40, seed: 2026, chunkSize: 40 },
};

type ExportRow = Record<string, number | boolean>;

/** f(A), f(B), f(AB_i) from per-point values in design order. */
function blocks(values: number[]) {
  const block = (b: number) => values.slice(b * samples, (b + 1) * samples);
  return { a: block(0), b: block(1), ab: axes.map((_, i) => block(2 + i)) };
}

describe('GET /v1/sweeps/{id}/sensitivity: Sobol indices of a saltelli sweep end to end', () => {
  let harness: Harness;
  let sweepId: string;
  let exported: ExportRow[][];

  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(async () => {
    await harness?.stop();
  });

  async function sensitivity(id: string, query: string, key?: string) {
    return harness.request('GET', `/v1/sweeps/${id}/sensitivity?${query}`, undefined, { key });
  }

  /** The exported outcomes (NDJSON), one array of patients per point in design order. */
  async function exportByPoint(id: string): Promise<ExportRow[][]> {
    const response = await fetch(`${harness.apiUrl}/v1/sweeps/${id}/outcomes?format=ndjson`, {
      headers: harness.authHeaders,
    });
    expect(response.status).toBe(200);
    const rows = (await response.text())
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as ExportRow);
    const byPoint: ExportRow[][] = [];
    for (const row of rows) {
      const index = row.pointIndex as number;
      byPoint[index] = [...(byPoint[index] ?? []), row];
    }
    return byPoint;
  }

  it('refuses (409, naming the rule) while the design is still running', async () => {
    const created = await harness.submit(saltelliSpec);
    sweepId = created.id;
    expect(created).toMatchObject({ status: 'queued', points: 160, simulations: 6400 });
    const { status, body } = await sensitivity(sweepId, 'metric=survivalAt&at=730');
    expect(status).toBe(409);
    expect(body.error.code).toBe('conflict');
    expect(body.error.message).toContain('0 of 6400 simulations');
    expect(body.error.details).toEqual([
      { path: 'status', rule: 'every point of the design must have all its outcomes' },
    ]);
  });

  it('answers S(730) indices equal to sobolIndices of the exported per-point metrics', async () => {
    await harness.startWorker(2);
    await harness.waitForSweep(sweepId, (s) => s.status === 'completed');
    const { status, body } = await sensitivity(sweepId, 'endpoint=os&metric=survivalAt&at=730');
    expect(status).toBe(200);
    const answer = sensitivityResponseSchema.parse(body);
    expect(answer).toMatchObject({ metric: 'survivalAt', at: 730, samples, patients: 40 });
    expect(answer.axes.map((a) => a.axis)).toEqual(axes);

    exported = await exportByPoint(sweepId);
    expect(exported).toHaveLength(160);
    const estimates = exported.map((patients) =>
      survivalEstimateAt(
        kaplanMeier({
          time: patients.map((p) => p.osDays as number),
          event: patients.map((p) => p.osEvent as boolean),
        }),
        730,
      ),
    );
    const values = estimates.map((e) => e.survival);
    const expected = sobolIndices(blocks(values), { bootstrap: 1000, seed: designSeed, level: 0.95 });
    answer.axes.forEach((axis, i) => {
      for (const field of ['value', 'lower', 'upper'] as const) {
        expect(axis.first[field]).toBeCloseTo(expected.first[i]![field], 12);
        expect(axis.total[field]).toBeCloseTo(expected.total[i]![field], 12);
      }
      // Each estimate inside its interval, and first ≤ total within the intervals (at N = 32 and 40
      // patients a first-order estimate can exceed its total; their intervals must still meet).
      expect(axis.first.lower).toBeLessThanOrEqual(axis.first.value);
      expect(axis.first.value).toBeLessThanOrEqual(axis.first.upper);
      expect(axis.total.lower).toBeLessThanOrEqual(axis.total.value);
      expect(axis.total.value).toBeLessThanOrEqual(axis.total.upper);
      expect(axis.first.lower).toBeLessThanOrEqual(axis.total.upper);
    });
    // The first-order indices share out at most all the variance, within their intervals.
    expect(answer.axes.reduce((sum, a) => sum + a.first.lower, 0)).toBeLessThanOrEqual(1);
    expect(answer.variance).toBeCloseTo(expected.variance, 12);
    expect(answer.bootstrap).toEqual({ replicates: expected.replicates, seed: designSeed, level: 0.95 });

    // Cohort noise: Greenwood's variance of each point's S(730) over the variance across points.
    const noise = cohortNoiseShare({
      estimates: values,
      variances: estimates.map((e) => (Number.isFinite(e.stdErr) ? e.stdErr ** 2 : 0)),
    });
    expect(answer.cohortNoise.share).toBeCloseTo(noise.share, 12);
    expect(answer.cohortNoise.threshold).toBe(0.05);
    // 40 patients per point: the noise share is well above 5%, and the answer says so.
    expect(answer.cohortNoise.share).toBeGreaterThan(0.05);
    expect(answer.cohortNoise.warning).toContain('add patients per point');
    expect(answer.warnings).toContain(answer.cohortNoise.warning);
  });

  it('answers the cured fraction with a binomial noise variance, from the same exported outcomes', async () => {
    const { status, body } = await sensitivity(sweepId, 'metric=curedFraction');
    expect(status).toBe(200);
    const answer = sensitivityResponseSchema.parse(body);
    const fractions = exported.map(
      (patients) => patients.filter((p) => p.cured === true).length / patients.length,
    );
    const expected = sobolIndices(blocks(fractions), { bootstrap: 1000, seed: designSeed });
    answer.axes.forEach((axis, i) => {
      expect(axis.first.value).toBeCloseTo(expected.first[i]!.value, 12);
      expect(axis.total.upper).toBeCloseTo(expected.total[i]!.upper, 12);
    });
    const noise = cohortNoiseShare({
      estimates: fractions,
      variances: fractions.map((p) => (p * (1 - p)) / 40),
    });
    expect(answer.cohortNoise.share).toBeCloseTo(noise.share, 12);
    expect(answer.at).toBeNull();
  });

  it('gives identical indices for a rerun of the same spec (simulated again, in another tenant)', async () => {
    const first = (await sensitivity(sweepId, 'metric=survivalAt&at=730')).body as SensitivityResponse;
    const otherTenant = await harness.createKey('submit', `tenant-rerun-${sweepId.slice(0, 8)}`);
    const submitted = await harness.request('POST', '/v1/sweeps', saltelliSpec, { key: otherTenant });
    expect(submitted.status).toBe(202);
    // Outcomes are not shared across tenants: every patient is simulated again.
    expect(submitted.body).toMatchObject({ simulations: 6400, reused: 0 });
    const rerunId = submitted.body.id as string;
    for (;;) {
      const { body } = await harness.request('GET', `/v1/sweeps/${rerunId}`, undefined, { key: otherTenant });
      if (body.status === 'completed') break;
      expect(['queued', 'running']).toContain(body.status);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const rerun = await sensitivity(rerunId, 'metric=survivalAt&at=730', otherTenant);
    expect(rerun.status).toBe(200);
    expect({ ...rerun.body, sweepId }).toEqual(first);
  });

  it('answers RMST and the median with their own noise variances', async () => {
    for (const metric of ['rmst', 'median']) {
      const { status, body } = await sensitivity(sweepId, `metric=${metric}`);
      expect(status).toBe(200);
      const answer = sensitivityResponseSchema.parse(body);
      expect(answer.axes).toHaveLength(3);
      expect(answer.cohortNoise.share).toBeGreaterThan(0);
    }
  });

  it('refuses a non-saltelli sweep (409 naming the rule) and bad queries (400 naming the field)', async () => {
    const grid = await harness.submit({
      name: 'a grid',
      design: { kind: 'grid', axes: { dose: [0, 2] } },
      cohort: { patients: 4, seed: 3 },
    });
    const notSaltelli = await sensitivity(grid.id, 'metric=survivalAt');
    expect(notSaltelli.status).toBe(409);
    expect(notSaltelli.body.error.details).toEqual([
      { path: 'design.kind', rule: 'must be saltelli for sensitivity indices' },
    ]);
    expect(notSaltelli.body.error.message).toContain('has a grid design');

    const atWithFraction = await sensitivity(sweepId, 'metric=curedFraction&at=730');
    expect(atWithFraction.status).toBe(400);
    expect(atWithFraction.body.error.details).toEqual([
      { path: 'querystring.at', rule: 'only with metric=survivalAt or metric=rmst' },
    ]);

    const badMetric = await sensitivity(sweepId, 'metric=hazard');
    expect(badMetric.status).toBe(400);
    expect(JSON.stringify(badMetric.body.error)).toContain('metric');

    // Follow-up ends at the 730-day horizon: S(1000) is unknown at points where someone survives.
    const pastFollowUp = await sensitivity(sweepId, 'metric=survivalAt&at=1000');
    expect(pastFollowUp.status).toBe(409);
    expect(pastFollowUp.body.error.details[0].path).toBe('querystring.at');
    expect(pastFollowUp.body.error.message).toContain('follow-up ends at');
  });
});
