import { connectDatabase, forTenant } from '@frontline/db';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type Harness, startHarness } from './support/harness.js';

const spec = (seed: number) => ({
  name: `isolation ${seed}`,
  design: { kind: 'grid', axes: { dose: [0, 2] } },
  cohort: { patients: 30, seed, chunkSize: 30 },
  params: { horizonDays: 120 },
});

const envelope = {
  error: { code: expect.any(String), message: expect.any(String), requestId: expect.any(String) },
};

describe('API keys: authentication, roles, management', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(async () => {
    await harness?.stop();
  });

  it('rejects missing, malformed, unknown and revoked keys with 401 in the envelope', async () => {
    for (const key of [null, 'not-a-key', `fl_${'0'.repeat(16)}_${'A'.repeat(32)}`]) {
      const response = await harness.request('GET', '/v1/sweeps', undefined, { key });
      expect(response.status).toBe(401);
      expect(response.body).toMatchObject({ error: { ...envelope.error, code: 'unauthorized' } });
    }
    const malformed = await fetch(`${harness.apiUrl}/v1/sweeps`, { headers: { authorization: 'Basic abc' } });
    expect(malformed.status).toBe(401);

    const created = await harness.request('POST', '/v1/keys', { tenant: harness.tenantId, role: 'read' });
    expect(created.status).toBe(201);
    const token = created.body.token as string;
    expect(token).toMatch(/^fl_[0-9a-f]{16}_[A-Za-z0-9_-]{32}$/);
    expect((await harness.request('GET', '/v1/sweeps', undefined, { key: token })).status).toBe(200);
    const revoked = await harness.request('POST', `/v1/keys/${created.body.id}/revoke`);
    expect(revoked).toEqual({ status: 200, body: { id: created.body.id, revoked: true } });
    expect((await harness.request('GET', '/v1/sweeps', undefined, { key: token })).status).toBe(401);
    expect((await harness.request('POST', `/v1/keys/${created.body.id}/revoke`)).status).toBe(404);
  });

  it('stores only a hash of the secret, and never lists tokens or hashes', async () => {
    const created = await harness.request('POST', '/v1/keys', {
      tenant: harness.tenantId,
      role: 'submit',
      name: 'ci',
    });
    const token = created.body.token as string;
    const secret = token.split('_').slice(2).join('_');
    const { rows } = await harness.pool.query('select * from api_keys where id = $1', [created.body.id]);
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows[0])).not.toContain(secret);
    expect(rows[0].secret_hash).toMatch(/^[0-9a-f]{64}$/);
    const listed = await harness.request('GET', '/v1/keys');
    const entry = listed.body.items.find((k: { id: string }) => k.id === created.body.id);
    expect(entry).toMatchObject({
      id: created.body.id,
      tenantId: harness.tenantId,
      role: 'submit',
      name: 'ci',
      revokedAt: null,
    });
    expect(JSON.stringify(listed.body)).not.toMatch(/secret|token|fl_/);
  });

  it('enforces roles: read reads, submit submits, admin manages keys and Bull Board', async () => {
    const read = await harness.createKey('read');
    const submit = await harness.createKey('submit');
    expect((await harness.request('GET', '/v1/sweeps', undefined, { key: read })).status).toBe(200);
    const forbidden = await harness.request('POST', '/v1/sweeps', spec(3001), { key: read });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.error.code).toBe('forbidden');
    expect(forbidden.body.error.message).toMatch(/"read".*needs "submit"/);
    expect((await harness.request('POST', '/v1/sweeps', spec(3001), { key: submit })).status).toBe(202);
    expect((await harness.request('GET', '/v1/keys', undefined, { key: submit })).status).toBe(403);
    const board = (key: string | null) =>
      fetch(`${harness.apiUrl}/admin/queues`, { headers: key ? { authorization: `Bearer ${key}` } : {} });
    expect((await board(null)).status).toBe(401);
    expect((await board(submit)).status).toBe(403);
    expect((await board(harness.apiKey)).status).toBe(200);
    const byCookie = await fetch(`${harness.apiUrl}/v1/sweeps`, {
      headers: { cookie: `theme=dark; frontline_key=${encodeURIComponent(read)}` },
    });
    expect(byCookie.status).toBe(200);
  });

  it('leaves health, readiness and metrics open', async () => {
    for (const path of ['/healthz', '/readyz', '/metrics']) {
      expect((await fetch(`${harness.apiUrl}${path}`)).status).toBe(200);
    }
  });
});

describe('tenant isolation, enforced by Postgres row-level security', () => {
  let alpha: Harness;
  let beta: Harness;
  beforeAll(async () => {
    alpha = await startHarness({ tenantId: `alpha-${Date.now()}` });
    beta = await startHarness({ tenantId: `beta-${Date.now()}` });
  });
  afterAll(async () => {
    await Promise.all([alpha?.stop(), beta?.stop()]);
  });

  it('never shows or lets another tenant touch a sweep, on any route, nor reuses its numbers', async () => {
    await alpha.startWorker(1);
    const mine = await alpha.submit(spec(3101));
    await alpha.waitForSweep(mine.id, (s) => s.status === 'completed');
    for (const path of ['', '/points', '/survival?endpoint=os', '/outcomes?format=ndjson', '/events']) {
      const response = await beta.request('GET', `/v1/sweeps/${mine.id}${path}`);
      expect(response.status, path).toBe(404);
      expect(response.body).toMatchObject({ error: { code: 'not_found' } });
    }
    expect((await beta.request('POST', `/v1/sweeps/${mine.id}/cancel`)).status).toBe(404);
    const list = await beta.request('GET', '/v1/sweeps?limit=200');
    expect(list.body.items.map((s: { id: string }) => s.id)).not.toContain(mine.id);

    // By default reuse stays within a tenant: beta's identical sweep learns nothing of alpha's
    // (reused 0) and gets no numbers it did not compute; alpha's own resubmission reuses them all.
    const theirs = await beta.submit(spec(3101));
    expect(theirs).toMatchObject({ status: 'queued', simulations: 60, reused: 0 });
    const { rows: shared } = await alpha.pool.query(
      `select count(*)::int as n from sweep_points a join sweep_points b on a.point_id = b.point_id
       where a.sweep_id = $1 and b.sweep_id = $2`,
      [mine.id, theirs.id],
    );
    expect(shared[0].n).toBe(0);
    expect((await beta.request('POST', `/v1/sweeps/${theirs.id}/cancel`)).body.cancelled).toBe(true);
    const again = await alpha.submit(spec(3101));
    expect(again).toMatchObject({ status: 'completed', simulations: 60, reused: 60 });
    const own = await alpha.request('GET', `/v1/sweeps/${theirs.id}`);
    expect(own.status).toBe(404);
    await alpha.stopWorkers();
  });

  it('reuses numbers across tenants only when the operator turns SHARE_OUTCOMES_ACROSS_TENANTS on', async () => {
    const sharing = await startHarness({ shareOutcomesAcrossTenants: true });
    try {
      await sharing.startWorker(1);
      const first = await sharing.submit(spec(3103));
      await sharing.waitForSweep(first.id, (s) => s.status === 'completed');
      const otherKey = await sharing.createKey('submit', `gamma-${Date.now()}`);
      const theirs = await sharing.request('POST', '/v1/sweeps', spec(3103), { key: otherKey });
      expect(theirs.status).toBe(202);
      expect(theirs.body).toMatchObject({ status: 'completed', simulations: 60, reused: 60 });
      const points = await sharing.request('GET', `/v1/sweeps/${theirs.body.id}/points`, undefined, {
        key: otherKey,
      });
      expect(points.body.points.map((p: { patients: number }) => p.patients)).toEqual([30, 30]);
      expect(
        (await sharing.request('GET', `/v1/sweeps/${first.id}`, undefined, { key: otherKey })).status,
      ).toBe(404);
    } finally {
      await sharing.stop();
    }
  });

  it('holds in the database itself: the app role sees and writes only its own tenant', async () => {
    const created = await alpha.submit(spec(3102));
    const app = connectDatabase(inject('databaseUrl'), { appRole: true });
    try {
      const count = async (pool: import('pg').Pool) =>
        (await pool.query('select count(*)::int as n from sweeps where id = $1', [created.id])).rows[0].n;
      expect(await count(app.pool)).toBe(0); // no tenant named: nothing visible
      expect(await count(forTenant(app.pool, beta.tenantId))).toBe(0);
      expect(await count(forTenant(app.pool, alpha.tenantId))).toBe(1);
      const chunks = await forTenant(app.pool, beta.tenantId).query(
        'select count(*)::int as n from chunks where sweep_id = $1',
        [created.id],
      );
      expect(chunks.rows[0].n).toBe(0);
      const { rows: role } = await app.pool.query(
        'select current_user, (select rolbypassrls from pg_roles where rolname = current_user) as bypass',
      );
      expect(role[0]).toEqual({ current_user: 'frontline_app', bypass: false });
      await expect(
        forTenant(app.pool, beta.tenantId).query(
          `update sweeps set status = 'cancelled' where id = $1 returning id`,
          [created.id],
        ),
      ).resolves.toMatchObject({ rowCount: 0 });
      await expect(
        forTenant(app.pool, beta.tenantId).query(
          `insert into sweeps (tenant_id, name, status, priority, model_id, code_version, spec, axes, cohort_seed, patients, points, total, reused)
           values ($1, 'forged', 'queued', 'normal', 'lf-tid@1', 'x', '{}', '[]', 1, 1, 1, 1, 0)`,
          [alpha.tenantId],
        ),
      ).rejects.toThrow(/row-level security/);
      const { rows: flags } = await alpha.pool.query(
        `select relname, relrowsecurity, relforcerowsecurity from pg_class where relname in ('sweeps', 'sweep_points', 'chunks') order by relname`,
      );
      expect(flags.every((f) => f.relrowsecurity && f.relforcerowsecurity)).toBe(true);
    } finally {
      await app.close();
    }
    await alpha.request('POST', `/v1/sweeps/${created.id}/cancel`);
  });
});

describe('limits per key and per tenant', () => {
  it('answers 429 with Retry-After past the per-key rate limit', async () => {
    const harness = await startHarness({ rateLimitPerMinute: 5 });
    try {
      const statuses: number[] = [];
      let last: Response | undefined;
      for (let i = 0; i < 7; i++) {
        last = await fetch(`${harness.apiUrl}/v1/sweeps`, { headers: harness.authHeaders });
        statuses.push(last.status);
      }
      expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
      expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await last!.json()).toMatchObject({
        error: { code: 'rate_limited', requestId: expect.any(String) },
      });
      // Another key has its own budget; open routes are not limited.
      const other = await harness.createKey('read');
      expect((await harness.request('GET', '/v1/sweeps', undefined, { key: other })).status).toBe(200);
      expect((await fetch(`${harness.apiUrl}/healthz`)).status).toBe(200);
    } finally {
      await harness.stop();
    }
  });

  it('caps queued-or-running sweeps per tenant', async () => {
    const harness = await startHarness({ maxActiveSweeps: 2 });
    try {
      const a = await harness.submit(spec(3201));
      await harness.submit(spec(3202));
      const third = await harness.request('POST', '/v1/sweeps', spec(3203));
      expect(third.status).toBe(429);
      expect(third.body.error.message).toMatch(/maxActiveSweeps 2/);
      await harness.request('POST', `/v1/sweeps/${a.id}/cancel`);
      expect((await harness.request('POST', '/v1/sweeps', spec(3203))).status).toBe(202);
    } finally {
      await harness.stop();
    }
  });
});
