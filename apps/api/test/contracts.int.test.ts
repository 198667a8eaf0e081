import {
  type ContentResponse,
  outcomeExportRowSchema,
  type RouteContract,
  routeContracts,
  sweepProgressEventSchema,
} from '@frontline/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { type Harness, startHarness } from './support/harness.js';

const { sweeps, results, sensitivity, hazards, keys, queue, health, model } = routeContracts;
const unknownSweep = '00000000-0000-4000-8000-000000000000';
const spec = {
  name: 'contract test',
  design: { kind: 'grid', axes: { dose: [0, 2] } },
  cohort: { patients: 12, seed: 4242 },
  params: { horizonDays: 120 },
  referenceArm: { dose: 0 },
};

/** Which routes were seen answering a success and an error, checked against their contracts. */
const covered = new Map<string, Set<'success' | 'error'>>();

function schemaFor(contract: RouteContract, status: number, contentType?: string): z.ZodType {
  const declared = contract.schema.response[status];
  expect(declared, `${contract.method} ${contract.url} declares ${status}`).toBeDefined();
  if ('content' in declared!) {
    const content = (declared as ContentResponse).content;
    return (contentType ? content[contentType] : Object.values(content)[0])!.schema;
  }
  return declared as z.ZodType;
}

/**
 * The real answer matches the contract exactly: parse succeeds and drops nothing (response objects
 * strip unknown keys, so an undeclared field would make the parsed value differ).
 */
function expectContract(contract: RouteContract, status: number, body: unknown, contentType?: string) {
  const parsed = schemaFor(contract, status, contentType).parse(body);
  expect(parsed).toEqual(body);
  const seen = covered.get(`${contract.method} ${contract.url}`) ?? new Set();
  seen.add(status < 400 ? 'success' : 'error');
  covered.set(`${contract.method} ${contract.url}`, seen);
}

describe('every route answers what its contract says (real Postgres, Redis and worker)', () => {
  let harness: Harness;
  let sweepId: string;
  let readKey: string;
  let call: (
    contract: RouteContract,
    path: string,
    init?: { body?: unknown; key?: string | null; status?: number },
  ) => Promise<unknown>;

  beforeAll(async () => {
    harness = await startHarness();
    readKey = await harness.createKey('read');
    call = async (contract, path, init = {}) => {
      const { status, body } = await harness.request(contract.method, path, init.body, { key: init.key });
      expect(status, `${contract.method} ${path}: ${JSON.stringify(body)}`).toBe(init.status ?? 200);
      expectContract(contract, status, status === 204 ? null : body);
      return body;
    };
    await harness.startWorker(1);
    sweepId = ((await call(sweeps.submit, '/v1/sweeps', { body: spec, status: 202 })) as { id: string }).id;
    await harness.waitForSweep(sweepId, (s) => s.status === 'completed');
  }, 180_000);
  afterAll(async () => {
    await harness?.stop();
  });

  it('sweeps: submit, list, get, cancel', async () => {
    const invalid = await call(sweeps.submit, '/v1/sweeps', {
      body: { ...spec, cohort: { patients: -1, seed: 1 } },
      status: 400,
    });
    expect(invalid).toMatchObject({ error: { code: 'validation_failed' } });
    const list = (await call(sweeps.list, '/v1/sweeps?limit=5')) as { items: { id: string }[] };
    expect(list.items.map((s) => s.id)).toContain(sweepId);
    await call(sweeps.list, '/v1/sweeps?limit=0', { status: 400 });
    const status = (await call(sweeps.get, `/v1/sweeps/${sweepId}`)) as { progress: { done: number } };
    expect(status.progress.done).toBe(24);
    await call(sweeps.get, `/v1/sweeps/${unknownSweep}`, { status: 404 });
    await call(sweeps.get, '/v1/sweeps/not-a-uuid', { status: 400 });
    const cancelled = await call(sweeps.cancel, `/v1/sweeps/${sweepId}/cancel`);
    expect(cancelled).toMatchObject({ status: 'completed', cancelled: false });
    await call(sweeps.cancel, `/v1/sweeps/${unknownSweep}/cancel`, { status: 404 });
    // A read key may not submit: the 403 envelope.
    await call(sweeps.submit, '/v1/sweeps', { body: spec, key: readKey, status: 403 });
  });

  it('sweeps: delete', async () => {
    // The same spec again: every outcome reused, so it is completed at once and may be deleted.
    const again = (await call(sweeps.submit, '/v1/sweeps', { body: spec, status: 202 })) as { id: string };
    const deleted = await call(sweeps.delete, `/v1/sweeps/${again.id}`);
    expect(deleted).toMatchObject({ id: again.id, deleted: { sweeps: 1, outcomes: 0 } });
    await call(sweeps.delete, `/v1/sweeps/${again.id}`, { status: 404 });
  });

  it('sweeps: the event stream carries progress events of the contract', async () => {
    const response = await fetch(`${harness.apiUrl}/v1/sweeps/${sweepId}/events`, {
      headers: harness.authHeaders,
    });
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const text = await response.text(); // an ended sweep: one `end` event, then the stream closes
    const data = text
      .split('\n')
      .filter((line) => line.startsWith('data: '))
      .map((line) => JSON.parse(line.slice(6)));
    expect(data).toHaveLength(1);
    expect(sweepProgressEventSchema.parse(data[0])).toEqual(data[0]);
    expectContract(sweeps.events, 200, data[0]);
    expect(data[0]).toMatchObject({ id: sweepId, status: 'completed' });
    await call(sweeps.events, `/v1/sweeps/${unknownSweep}/events`, { status: 404 });
  });

  it('hazards: hazard ratios and power', async () => {
    const ratios = (await call(hazards.hazardRatios, `/v1/sweeps/${sweepId}/hazard-ratios?groupBy=dose`)) as {
      groups: { reference: boolean; patients: number }[];
    };
    expect(ratios.groups.map((g) => [g.reference, g.patients])).toEqual([
      [true, 12],
      [false, 12],
    ]);
    await call(hazards.hazardRatios, `/v1/sweeps/${sweepId}/hazard-ratios?groupBy=dose&reference=7`, {
      status: 400,
    });
    const power = (await call(
      hazards.power,
      `/v1/sweeps/${sweepId}/power?groupBy=dose&arm=2&patientsPerArm=10&replicates=20`,
    )) as { arm: unknown; reference: unknown };
    expect([power.arm, power.reference]).toMatchObject([
      { key: { dose: 2 }, patients: 12, distinctPatients: 12, points: 1 },
      { key: { dose: 0 }, patients: 12, distinctPatients: 12, points: 1 },
    ]);
    await call(hazards.power, `/v1/sweeps/${unknownSweep}/power?groupBy=dose&arm=2`, { status: 404 });
  });

  it('results: survival, points, outcomes', async () => {
    const survival = (await call(results.survival, `/v1/sweeps/${sweepId}/survival?groupBy=dose`)) as {
      groups: { patients: number }[];
    };
    expect(survival.groups.map((g) => g.patients)).toEqual([12, 12]);
    await call(results.survival, `/v1/sweeps/${sweepId}/survival?endpoint=xyz`, { status: 400 });
    const points = (await call(results.points, `/v1/sweeps/${sweepId}/points`)) as { points: unknown[] };
    expect(points.points).toHaveLength(2);
    await call(results.points, `/v1/sweeps/${sweepId}/points?limit=100000000`, { status: 422 });

    const ndjson = await fetch(`${harness.apiUrl}/v1/sweeps/${sweepId}/outcomes?format=ndjson`, {
      headers: harness.authHeaders,
    });
    expect(ndjson.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    const rows = (await ndjson.text())
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(rows).toHaveLength(24);
    for (const row of rows) expect(outcomeExportRowSchema.parse(row)).toEqual(row);
    expectContract(results.outcomes, 200, rows[0], 'application/x-ndjson');
    const csv = await fetch(`${harness.apiUrl}/v1/sweeps/${sweepId}/outcomes`, {
      headers: harness.authHeaders,
    });
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect((await csv.text()).trim().split('\n')).toHaveLength(25); // header + one row per patient
    await call(results.outcomes, `/v1/sweeps/${sweepId}/outcomes?format=xml`, { status: 400 });
  });

  it('sensitivity: indices of a saltelli sweep; 409 for a grid', async () => {
    const saltelli = (await call(sweeps.submit, '/v1/sweeps', {
      body: {
        ...spec,
        referenceArm: undefined,
        design: { kind: 'saltelli', samples: 4, seed: 1, axes: { dose: { min: 0, max: 4 } } },
      },
      status: 202,
    })) as { id: string };
    await harness.waitForSweep(saltelli.id, (s) => s.status === 'completed');
    const answer = (await call(
      sensitivity.sensitivity,
      `/v1/sweeps/${saltelli.id}/sensitivity?metric=rmst`,
    )) as {
      axes: { axis: string }[];
    };
    expect(answer.axes.map((a) => a.axis)).toEqual(['dose']);
    await call(sensitivity.sensitivity, `/v1/sweeps/${sweepId}/sensitivity`, { status: 409 });
  });

  it('keys and session', async () => {
    const created = (await call(keys.create, '/v1/keys', {
      body: { tenant: harness.tenantId, role: 'read', name: 'contract' },
      status: 201,
    })) as { id: string; token: string };
    await call(keys.create, '/v1/keys', { body: { tenant: 'Bad Tenant', role: 'read' }, status: 400 });
    const list = (await call(keys.list, '/v1/keys')) as { items: { id: string }[] };
    expect(list.items.map((k) => k.id)).toContain(created.id);
    await call(keys.list, '/v1/keys', { key: null, status: 401 });
    expect(await call(keys.revoke, `/v1/keys/${created.id}/revoke`)).toEqual({
      id: created.id,
      revoked: true,
    });
    await call(keys.revoke, `/v1/keys/${created.id}/revoke`, { status: 404 });

    const session = await call(keys.signIn, '/v1/session', { body: { key: readKey }, key: null });
    expect(session).toEqual({ tenantId: harness.tenantId, role: 'read' });
    await call(keys.signIn, '/v1/session', { body: { key: created.token }, key: null, status: 401 });
    await call(keys.signOut, '/v1/session', { key: null, status: 204 });
    const foreign = await fetch(`${harness.apiUrl}/v1/session`, {
      method: 'DELETE',
      headers: { origin: 'http://evil.example' },
    });
    expect(foreign.status).toBe(403);
    expectContract(keys.signOut, 403, await foreign.json());
  });

  it('queue, health, metrics', async () => {
    const overview = (await call(queue.overview, '/v1/queue')) as { queues: { prefix: string }[] };
    expect(overview.queues.map((q) => q.prefix)).toEqual([harness.queuePrefix]);
    await call(queue.overview, '/v1/queue', { key: readKey, status: 403 });
    const catalogue = (await call(model.parameters, '/v1/model/parameters?model=lf-tid@2', {
      key: readKey,
    })) as { parameters: unknown[] };
    expect(catalogue.parameters.length).toBeGreaterThan(40);
    await call(model.parameters, '/v1/model/parameters?model=lf-tid@0', { status: 400 });
    expect(await call(health.liveness, '/healthz')).toEqual({ status: 'ok' });
    expect(await call(health.readiness, '/readyz')).toMatchObject({ checks: { redis: 'ok' } });
    const metrics = await fetch(`${harness.apiUrl}/metrics`);
    expectContract(health.metrics, 200, await metrics.text());
  });

  afterAll(() => {
    // Every /v1 route was called for real, with a success and an error checked against its contract.
    const v1 = Object.values(routeContracts)
      .flatMap((area) => Object.values(area) as RouteContract[])
      .filter((c) => c.url.startsWith('/v1/'));
    const missing = v1.map((c) => `${c.method} ${c.url}`).filter((route) => covered.get(route)?.size !== 2);
    console.info(`contracts: ${covered.size} routes checked: ${[...covered.keys()].join(', ')}`);
    expect(missing).toEqual([]);
  });
});
