import { connectDatabase, forTenant } from '@frontline/db';
import { chunkQueueName } from '@frontline/queue';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { registerAuth } from '../src/auth.js';
import { type Harness, startHarness } from './support/harness.js';
import { rawRequest } from './support/raw-http.js';

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

  it('enforces roles: read reads, submit submits, admin manages keys, operator Bull Board', async () => {
    const read = await harness.createKey('read');
    const submit = await harness.createKey('submit');
    const admin = await harness.createKey('admin');
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
    expect((await board(admin)).status).toBe(403);
    expect((await board(harness.apiKey)).status).toBe(200); // the harness's key is an operator's
    const byCookie = await fetch(`${harness.apiUrl}/v1/sweeps`, {
      headers: { cookie: `theme=dark; ${harness.app.sessionCookie}=${encodeURIComponent(read)}` },
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
    for (const path of [
      '',
      '/points',
      '/survival?endpoint=os',
      '/sensitivity?metric=survivalAt',
      '/outcomes?format=ndjson',
      '/events',
    ]) {
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

const sweepCount = async (harness: Harness) =>
  (
    await harness.pool.query<{ n: number }>('select count(*)::int as n from sweeps where tenant_id = $1', [
      harness.tenantId,
    ])
  ).rows[0]!.n;

describe('issue 11, finding 1: access is decided on the route Fastify matched, never the raw URL', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(async () => {
    await harness?.stop();
  });

  it('refuses re-spelled key, queue and Bull Board routes without a key: no key made, none revoked, no queue paused', async () => {
    const port = Number(new URL(harness.apiUrl).port);
    const victim = await harness.request('POST', '/v1/keys', { tenant: harness.tenantId, role: 'read' });
    const keysBefore = (await harness.pool.query('select count(*)::int as n from api_keys')).rows[0].n;
    const attacks: [string, string, string?][] = [
      ['POST', '/%761/keys', JSON.stringify({ tenant: 'default', role: 'admin' })],
      ['POST', '/v%31/keys', JSON.stringify({ tenant: 'default', role: 'operator' })],
      ['GET', '/%761/keys'],
      ['POST', `/%761/keys/${victim.body.id}/revoke`],
      ['GET', '/%761/queue'],
      ['GET', '/%61dmin/queues/api/queues'],
      ['PUT', `/%61dmin/queues/api/queues/${chunkQueueName}/pause`],
      ['PUT', `/admin/queues/api/queues/${chunkQueueName}/pause`],
      ['POST', `http://127.0.0.1:${port}/v1/keys`, JSON.stringify({ tenant: 'default', role: 'admin' })],
    ];
    const answers = [];
    for (const [method, target, body] of attacks) {
      const headers: Record<string, string> = body ? { 'content-type': 'application/json' } : {};
      const response = await rawRequest(port, method, target, headers, body);
      answers.push(`${method} ${target.replace(String(port), 'PORT')} → ${response.status}`);
      expect(JSON.parse(response.body)).toMatchObject({ error: { code: 'unauthorized' } });
    }
    expect(answers).toEqual(attacks.map(([m, t]) => `${m} ${t.replace(String(port), 'PORT')} → 401`));
    expect((await harness.pool.query('select count(*)::int as n from api_keys')).rows[0].n).toBe(keysBefore);
    const { rows } = await harness.pool.query('select revoked_at from api_keys where id = $1', [
      victim.body.id,
    ]);
    expect(rows[0].revoked_at).toBeNull();
    expect(await harness.queue.isPaused()).toBe(false);
  });

  it('will not start with a route that declares no access level', async () => {
    const app = Fastify();
    registerAuth(app, harness.pool, { cookieName: 'frontline_key_test' });
    expect(() => app.get('/v1/undeclared', async () => 'open to all')).toThrow(
      'route GET /v1/undeclared declares no access level (config.access)',
    );
    await app.close();
  });
});

describe('issue 11, finding 6: a tenant admin manages only its own tenant; an operator every tenant', () => {
  let alpha: Harness;
  let betaTenant: string;
  beforeAll(async () => {
    alpha = await startHarness();
    betaTenant = `${alpha.tenantId}-beta`;
  });
  afterAll(async () => {
    await alpha?.stop();
  });

  it('creates, lists and revokes within its own tenant only, and never reaches an operator key', async () => {
    const admin = await alpha.createKey('admin');
    const betaAdmin = await alpha.createKey('admin', betaTenant);
    const betaKeyId = betaAdmin.split('_')[1];
    const operatorKeyId = alpha.apiKey.split('_')[1];
    const asAdmin = (method: string, path: string, body?: unknown) =>
      alpha.request(method, path, body, { key: admin });
    const activeKeys = async (tenant: string) =>
      (
        await alpha.pool.query(
          'select count(*)::int as n from api_keys where tenant_id = $1 and revoked_at is null',
          [tenant],
        )
      ).rows[0].n;

    const betaBefore = await activeKeys(betaTenant);
    const forBeta = await asAdmin('POST', '/v1/keys', { tenant: betaTenant, role: 'admin' });
    expect(forBeta.status).toBe(403);
    expect(forBeta.body.error.message).toBe(
      `an admin key manages only its own tenant's keys ("${alpha.tenantId}"), not tenant "${betaTenant}"`,
    );
    const operator = await asAdmin('POST', '/v1/keys', { tenant: alpha.tenantId, role: 'operator' });
    expect(operator.status).toBe(403);
    expect(operator.body.error.message).toBe('only an operator key may create an operator key');
    const own = await asAdmin('POST', '/v1/keys', { tenant: alpha.tenantId, role: 'read' });
    expect(own.status).toBe(201);

    const listed = await asAdmin('GET', '/v1/keys');
    expect(new Set(listed.body.items.map((k: { tenantId: string }) => k.tenantId))).toEqual(
      new Set([alpha.tenantId]),
    );
    expect(listed.body.items.map((k: { id: string }) => k.id)).toContain(own.body.id);

    // Another tenant's key, and the operator's, answer as absent: the admin learns nothing of them.
    expect(await asAdmin('POST', `/v1/keys/${betaKeyId}/revoke`)).toMatchObject({
      status: 404,
      body: { error: { code: 'not_found', message: `no active API key ${betaKeyId}` } },
    });
    expect((await asAdmin('POST', `/v1/keys/${operatorKeyId}/revoke`)).status).toBe(404);
    expect(await activeKeys(betaTenant)).toBe(betaBefore);
    expect((await alpha.request('GET', '/v1/keys', undefined, { key: alpha.apiKey })).status).toBe(200);

    // Every tenant's jobs and Bull Board are the operator's alone.
    expect((await asAdmin('GET', '/v1/queue')).status).toBe(403);
    expect(
      (await fetch(`${alpha.apiUrl}/admin/queues`, { headers: { authorization: `Bearer ${admin}` } })).status,
    ).toBe(403);
    expect((await alpha.request('GET', '/v1/queue')).status).toBe(200);

    // The operator manages every tenant.
    const all = await alpha.request('GET', '/v1/keys');
    const tenants = new Set(all.body.items.map((k: { tenantId: string }) => k.tenantId));
    expect(tenants.has(alpha.tenantId) && tenants.has(betaTenant)).toBe(true);
    expect((await alpha.request('POST', '/v1/keys', { tenant: betaTenant, role: 'read' })).status).toBe(201);
    expect(await alpha.request('POST', `/v1/keys/${betaKeyId}/revoke`)).toEqual({
      status: 200,
      body: { id: betaKeyId, revoked: true },
    });
  });

  it('holds in Postgres: the app role cannot read or write api_keys, and its functions check the caller', async () => {
    const app = connectDatabase(inject('databaseUrl'), { appRole: true });
    try {
      await expect(app.pool.query('select id from api_keys limit 1')).rejects.toThrow(/permission denied/);
      await expect(app.pool.query('update api_keys set revoked_at = null')).rejects.toThrow(
        /permission denied/,
      );
      await expect(
        app.pool.query(
          `insert into api_keys (id, tenant_id, role, name, secret_hash) values ('0000000000000000', 'x', 'operator', 'forged', 'x')`,
        ),
      ).rejects.toThrow(/permission denied/);
      // Knowing an operator's key id is not enough: the functions want its secret's hash.
      const operatorId = alpha.apiKey.split('_')[1];
      await expect(
        app.pool.query(
          `select frontline_create_api_key($1, 'guess', 'aaaaaaaaaaaaaaaa', 'x', 'operator', 'forged', 'h')`,
          [operatorId],
        ),
      ).rejects.toThrow(/may not create a operator key for tenant x/);
      const listed = await app.pool.query('select * from frontline_list_api_keys($1, $2)', [
        operatorId,
        'guess',
      ]);
      expect(listed.rowCount).toBe(0);
      const verified = await app.pool.query('select * from frontline_verify_api_key($1, $2)', [
        operatorId,
        'guess',
      ]);
      expect(verified.rowCount).toBe(0);
      expect(verified.fields.map((f) => f.name)).toEqual(['tenant_id', 'role', 'name', 'created_at']);
      const { rows } = await alpha.pool.query(
        `select relrowsecurity from pg_class where relname = 'api_keys'`,
      );
      expect(rows[0].relrowsecurity).toBe(true);
    } finally {
      await app.close();
    }
  });
});

describe("issue 11, finding 7: the dashboard cookie is the server's, and cross-site writes are refused", () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness({ maxActiveSweeps: 100 });
  });
  afterAll(async () => {
    await harness?.stop();
  });

  it('POST /v1/session sets an HttpOnly, SameSite=Strict cookie named for this stack; DELETE clears it', async () => {
    const read = await harness.createKey('read');
    const session = (method: string, body?: unknown) =>
      fetch(`${harness.apiUrl}/v1/session`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    const signedIn = await session('POST', { key: read });
    expect(signedIn.status).toBe(200);
    expect(harness.app.sessionCookie).toMatch(/^frontline_key_[0-9a-f]{8}$/);
    expect(signedIn.headers.get('set-cookie')).toBe(
      `${harness.app.sessionCookie}=${encodeURIComponent(read)}; Path=/; HttpOnly; SameSite=Strict`,
    );
    const wrong = await session('POST', { key: `fl_${'0'.repeat(16)}_${'A'.repeat(32)}` });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('set-cookie')).toBeNull();
    const signedOut = await session('DELETE');
    expect(signedOut.status).toBe(204);
    expect(signedOut.headers.get('set-cookie')).toBe(
      `${harness.app.sessionCookie}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`,
    );
  });

  it('refuses cookie-authenticated writes from a foreign Origin or without JSON; Bearer writes are unaffected', async () => {
    const submit = await harness.createKey('submit');
    const cookie = `${harness.app.sessionCookie}=${encodeURIComponent(submit)}`;
    const post = (headers: Record<string, string>, body: string) =>
      fetch(`${harness.apiUrl}/v1/sweeps`, { method: 'POST', headers, body }).then(async (r) => ({
        status: r.status,
        body: (await r.json()) as { error: { message: string } },
      }));
    const json = JSON.stringify(spec(3301));
    const before = await sweepCount(harness);

    const crossSite = await post(
      { cookie, origin: 'http://evil.example', 'content-type': 'text/plain' },
      json,
    );
    expect(crossSite.status).toBe(403);
    expect(crossSite.body.error.message).toBe(
      `a cookie-authenticated POST must come from this API's own pages: Origin must be ${harness.apiUrl} (got http://evil.example); other clients send "Authorization: Bearer <api key>"`,
    );
    const noOrigin = await post({ cookie, 'content-type': 'application/json' }, json);
    expect(noOrigin.status).toBe(403);
    const plain = await post({ cookie, origin: harness.apiUrl, 'content-type': 'text/plain' }, json);
    expect(plain.status).toBe(403);
    expect(plain.body.error.message).toBe(
      'a cookie-authenticated POST with a body must send Content-Type application/json (got text/plain)',
    );
    expect(await sweepCount(harness)).toBe(before);

    expect(
      (await post({ cookie, origin: harness.apiUrl, 'content-type': 'application/json' }, json)).status,
    ).toBe(202);
    const bearer = await post(
      {
        authorization: `Bearer ${submit}`,
        origin: 'http://evil.example',
        'content-type': 'application/json',
      },
      JSON.stringify(spec(3302)),
    );
    expect(bearer.status).toBe(202);
    expect(await sweepCount(harness)).toBe(before + 2);
    // Reads by cookie need no Origin (SameSite=Strict keeps other sites' requests from carrying it).
    expect((await fetch(`${harness.apiUrl}/v1/sweeps`, { headers: { cookie } })).status).toBe(200);
  });
});
