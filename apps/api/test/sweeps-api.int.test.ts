import { pointHashFor, resolveModelParams } from '@frontline/sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tenantPointHash } from '../src/sweep-service.js';
import { type Harness, startHarness } from './support/harness.js';

const valid = {
  name: 'api contract',
  design: { kind: 'grid', axes: { dose: [0, 2] } },
  cohort: { patients: 10, seed: 2001 },
  params: { horizonDays: 90 },
};

describe('sweep HTTP API: validation, limits, lookups (real Postgres + Redis)', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness({
      limits: {
        maxPoints: 50,
        maxPatientsPerPoint: 5_000,
        maxSimulations: 20_000,
        maxSummarySimulations: 40_000,
        maxChunksPerSweep: 10_000,
        maxBodyBytes: 64 * 1024,
      },
    });
  });
  afterAll(async () => {
    await harness?.stop();
  });

  const rejected: [label: string, body: unknown, status: number, path: string, rule: RegExp][] = [
    [
      'unknown axis',
      { ...valid, design: { kind: 'grid', axes: { doze: [1] } } },
      400,
      'design.axes.doze',
      /unknown/i,
    ],
    ['empty axis', { ...valid, design: { kind: 'grid', axes: { dose: [] } } }, 400, 'design.axes.dose', /.+/],
    [
      'non-number value',
      { ...valid, design: { kind: 'grid', axes: { dose: ['x'] } } },
      400,
      'design.axes.dose[0]',
      /number/i,
    ],
    ['negative patients', { ...valid, cohort: { patients: -1, seed: 1 } }, 400, 'cohort.patients', /.+/],
    ['fractional seed', { ...valid, cohort: { patients: 5, seed: 1.5 } }, 400, 'cohort.seed', /integer/i],
    [
      'out-of-domain param',
      { ...valid, params: { cellLossFactor: 1.2 } },
      400,
      'params.cellLossFactor',
      /< 1/,
    ],
    ['unknown top-level key', { ...valid, colour: 'red' }, 400, 'colour', /.+/],
    ['unknown priority', { ...valid, priority: 'urgent' }, 400, 'priority', /.+/],
    [
      'too many points',
      { ...valid, design: { kind: 'grid', axes: { dose: Array.from({ length: 51 }, (_, i) => i / 10) } } },
      422,
      '',
      /maxPoints/,
    ],
    ['too many patients', { ...valid, cohort: { patients: 5_001, seed: 1 } }, 422, '', /maxPatientsPerPoint/],
    [
      'too many simulations to keep every row',
      {
        ...valid,
        design: { kind: 'grid', axes: { dose: [0, 1, 2, 3, 4] } },
        cohort: { patients: 4_001, seed: 1 },
        outcomes: 'full',
      },
      422,
      '',
      /with outcomes: full \(maxSimulations\)/,
    ],
    [
      'too many simulations even as summaries (the default past maxSimulations)',
      {
        ...valid,
        design: { kind: 'grid', axes: { dose: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] } },
        cohort: { patients: 4_001, seed: 1 },
      },
      422,
      '',
      /with outcomes: summary \(maxSummarySimulations\)/,
    ],
    ['an unknown retention', { ...valid, outcomes: 'some' }, 400, 'outcomes', /full.*summary/],
    [
      'too many chunks',
      {
        ...valid,
        design: { kind: 'grid', axes: { dose: [0, 1, 2, 3, 4] } },
        cohort: { patients: 4_000, seed: 1, chunkSize: 1 },
      },
      422,
      'cohort.chunkSize',
      /= 20000 chunks; the limit is 10000 \(maxChunksPerSweep\): use cohort\.chunkSize ≥ 2 /,
    ],
    // Postgres cannot store these (text and jsonb refuse them): a 400 before any write, never a 500.
    ['NUL in the name', { ...valid, name: 'dose\u0000sweep' }, 400, 'name', /NUL character \(U\+0000\)/],
    ['lone surrogate in the name', { ...valid, name: 'dose\uD800' }, 400, 'name', /lone surrogate \(U\+D800/],
    [
      'NUL in a params key',
      { ...valid, params: { 'x\u0000': 1 } },
      400,
      'params["x\\u0000"]',
      /key must not contain a NUL/,
    ],
    [
      'lone surrogate in an axis name',
      { ...valid, design: { kind: 'grid', axes: { '\uDC00': [1] } } },
      400,
      'design.axes["\\udc00"]',
      /key must not contain a lone surrogate/,
    ],
  ];

  it.each(rejected)(
    '%s → %i naming the path and rule, nothing written',
    async (_label, body, status, path, rule) => {
      const before = await harness.pool.query('select count(*)::int as n from sweeps');
      const response = await harness.request('POST', '/v1/sweeps', body);
      expect(response.status).toBe(status);
      const error = response.body.error;
      expect(error.requestId).toEqual(expect.any(String));
      expect(`${error.message} ${JSON.stringify(error.details ?? [])}`).toMatch(rule);
      if (path) expect(error.details.map((d: { path: string }) => d.path)).toContain(path);
      const after = await harness.pool.query('select count(*)::int as n from sweeps');
      expect(after.rows[0].n).toBe(before.rows[0].n);
    },
  );

  it('rejects malformed JSON, a non-object body and an oversized body in the envelope', async () => {
    const malformed = await harness.request('POST', '/v1/sweeps', '{"name": ');
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.code).toBe('bad_request');
    const array = await harness.request('POST', '/v1/sweeps', [1, 2]);
    expect(array.status).toBe(400);
    const huge = await harness.request('POST', '/v1/sweeps', { ...valid, name: 'x'.repeat(70 * 1024) });
    expect(huge.status).toBe(413);
    expect(huge.body.error.code).toBe('payload_too_large');
  });

  it('answers 404 for an unknown sweep and 400 for a malformed id', async () => {
    const unknown = await harness.request('GET', '/v1/sweeps/00000000-0000-4000-8000-000000000000');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('not_found');
    const malformed = await harness.request('GET', '/v1/sweeps/not-a-uuid');
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.details[0].path).toBe('params.id');
    const cancelUnknown = await harness.request(
      'POST',
      '/v1/sweeps/00000000-0000-4000-8000-000000000000/cancel',
    );
    expect(cancelUnknown.status).toBe(404);
  });

  it('accepts a valid spec with provenance, and pages the list newest first', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const created = await harness.submit({
        ...valid,
        name: `page ${i}`,
        cohort: { patients: 10, seed: 2100 + i },
      });
      expect(created).toMatchObject({ points: 2, patients: 10, simulations: 20, reused: 0 });
      ids.push(created.id);
    }
    const status = await harness.request('GET', `/v1/sweeps/${ids[0]}`);
    expect(status.body).toMatchObject({
      id: ids[0],
      name: 'page 0',
      status: 'queued',
      // A spec without `model` runs the current model, and the stored spec says which.
      modelId: 'lf-tid@2',
      spec: { model: 'lf-tid@2' },
      progress: { done: 0, total: 20, failed: 0, reused: 0 },
    });
    expect(status.body.codeVersion).toMatch(/\S/);
    expect(status.body.spec.cohort).toMatchObject({ patients: 10, seed: 2100 });

    const first = await harness.request('GET', '/v1/sweeps?limit=2');
    expect(first.body.items.map((s: { id: string }) => s.id)).toEqual([ids[2], ids[1]]);
    const second = await harness.request('GET', `/v1/sweeps?limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body.items[0].id).toBe(ids[0]);
    const badLimit = await harness.request('GET', '/v1/sweeps?limit=0');
    expect(badLimit.status).toBe(400);
  });

  it('stores each point’s full resolved parameters and content hash, sent as shared params + differences', async () => {
    const spec = {
      name: 'stored points',
      model: 'lf-tid@2',
      design: { kind: 'grid', axes: { myelotoxicity: [0, 1e-7, 0.25], immuneKill: [0.035, 0.1] } },
      cohort: { patients: 5, seed: 2301 },
      params: { doseDays: [0, 21, 42], cycles: 3, horizonDays: 90 },
    };
    const storedPoints = async (id: string) =>
      (
        await harness.pool.query(
          `select sp.point_index as "index", sp.point_id as "pointId", sp.axis_values as "axisValues", p.params, p.hash
           from sweep_points sp join points p on p.id = sp.point_id where sp.sweep_id = $1 order by sp.point_index`,
          [id],
        )
      ).rows;
    const first = await storedPoints((await harness.submit(spec)).id);
    expect(first).toHaveLength(6);
    for (const point of first) {
      const params = resolveModelParams('lf-tid@2', { ...spec.params, ...point.axisValues });
      expect(point.params).toStrictEqual(JSON.parse(JSON.stringify(params)));
      expect(point.hash).toBe(tenantPointHash(harness.tenantId, pointHashFor('lf-tid@2', params)));
    }
    // A later sweep sharing two of these points (immuneKill 0.1) finds them by content hash.
    const second = await storedPoints(
      (
        await harness.submit({
          ...spec,
          design: { kind: 'grid', axes: { myelotoxicity: [1e-7, 0.25, 0.5], immuneKill: [0.1] } },
        })
      ).id,
    );
    const idOf = (points: typeof first, myelotoxicity: number, immuneKill: number) =>
      points.find(
        (p) => p.axisValues.myelotoxicity === myelotoxicity && p.axisValues.immuneKill === immuneKill,
      )?.pointId;
    expect(idOf(second, 1e-7, 0.1)).toBe(idOf(first, 1e-7, 0.1));
    expect(idOf(second, 0.25, 0.1)).toBe(idOf(first, 0.25, 0.1));
    expect(first.map((p) => p.pointId)).not.toContain(idOf(second, 0.5, 0.1));
  });

  it('reports readiness of Postgres and Redis and serves the OpenAPI document', async () => {
    const ready = await harness.request('GET', '/readyz');
    expect(ready).toEqual({
      status: 200,
      body: { status: 'ready', checks: { postgres: 'ok', redis: 'ok' } },
    });
    const openapi = await harness.request('GET', '/openapi.json');
    expect(Object.keys(openapi.body.paths)).toEqual(
      expect.arrayContaining(['/v1/sweeps', '/v1/sweeps/{id}']),
    );
  });
});
