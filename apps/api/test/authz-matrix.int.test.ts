import type { ApiKeyRole } from '@frontline/db';
import { chunkQueueName } from '@frontline/queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RouteAccess } from '../src/auth.js';
import { type Harness, startHarness } from './support/harness.js';
import { rawRequest } from './support/raw-http.js';

// Every route in Fastify's route table × every kind of caller × many spellings of its path, over
// real HTTP with the request target sent byte for byte. Nothing may answer 2xx/3xx to a caller
// without the route's role and tenant, nothing may answer 5xx, and the attacks change nothing.

const spec = {
  name: 'matrix',
  design: { kind: 'grid', axes: { dose: [0, 2] } },
  cohort: { patients: 20, seed: 7_001, chunkSize: 10 },
  params: { horizonDays: 60 },
};

interface Caller {
  name: string;
  token?: string;
  role?: ApiKeyRole;
  tenant?: string;
}

const rank: Record<ApiKeyRole, number> = { read: 0, submit: 1, admin: 2, operator: 3 };
const otherMethod = (method: string) => (method === 'GET' ? 'POST' : 'GET');
const hex = (c: string) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`;

/** Spellings of a path the router should treat as that route or as no route, never as an open door. */
const spellings: { name: string; spell: (path: string, port: number) => string }[] = [
  { name: 'canonical', spell: (p) => p },
  { name: 'percent-encoded first letter', spell: (p) => p.replace(/\/([a-zA-Z])/, (_, c) => `/${hex(c)}`) },
  { name: 'percent-encoded letters', spell: (p) => p.replace(/[a-zA-Z]/g, hex) },
  { name: 'encoded slash', spell: (p) => (p === '/' ? '/%2F' : p.replace(/\/(?=[^/]*$)/, '%2F')) },
  { name: 'double encoding', spell: (p) => p.replace(/\/([a-zA-Z])/, (_, c) => `/%25${hex(c).slice(1)}`) },
  { name: 'dot-dot segment', spell: (p) => `/x/..${p}` },
  { name: 'dot segment', spell: (p) => `/.${p}` },
  { name: 'encoded dot segment', spell: (p) => `/x/%2e%2e${p}` },
  { name: 'doubled slashes', spell: (p) => p.replaceAll('/', '//') },
  { name: 'trailing slash', spell: (p) => `${p}/` },
  { name: 'upper case', spell: (p) => p.toUpperCase() },
  { name: 'absolute-form target', spell: (p, port) => `http://127.0.0.1:${port}${p}` },
  { name: 'matrix parameter', spell: (p) => p.replace(/^\/([^/]*)/, '/$1;x=1') },
  { name: 'trailing matrix parameter', spell: (p) => `${p};x=1` },
  { name: 'method override', spell: (p) => p },
];

describe('authorization matrix: every route × caller × path spelling', () => {
  let harness: Harness;
  let port: number;
  let callers: Caller[];
  let tenantA: string;
  let sweepId: string;
  let victimKeyId: string;

  beforeAll(async () => {
    harness = await startHarness({ maxActiveSweeps: 1_000_000 });
    tenantA = harness.tenantId;
    const tenantB = `${tenantA}-b`;
    port = Number(new URL(harness.apiUrl).port);
    sweepId = (await harness.submit(spec)).id; // no worker: its jobs stay queued
    const victim = await harness.request('POST', '/v1/keys', {
      tenant: tenantA,
      role: 'read',
      name: 'victim',
    });
    victimKeyId = victim.body.id;
    const revoked = await harness.createKey('admin');
    await harness.pool.query('update api_keys set revoked_at = now() where id = $1', [revoked.split('_')[1]]);
    callers = [
      { name: 'no key' },
      { name: 'read A', token: await harness.createKey('read'), role: 'read', tenant: tenantA },
      { name: 'submit A', token: await harness.createKey('submit'), role: 'submit', tenant: tenantA },
      { name: 'admin A', token: await harness.createKey('admin'), role: 'admin', tenant: tenantA },
      { name: 'admin B', token: await harness.createKey('admin', tenantB), role: 'admin', tenant: tenantB },
      { name: 'operator', token: harness.apiKey, role: 'operator', tenant: tenantA },
      { name: 'revoked admin A', token: revoked },
    ];
  });
  afterAll(async () => {
    await harness?.stop();
  });

  /** The route's URL with its parameters naming tenant A's sweep, the victim key, the chunk queue. */
  function concretePath(url: string): string {
    return url
      .replace(/^\/v1\/sweeps\/:id/, `/v1/sweeps/${sweepId}`)
      .replace(/^\/v1\/keys\/:id/, `/v1/keys/${victimKeyId}`)
      .replace(':queueName', chunkQueueName)
      .replace(/:[A-Za-z]+/g, 'missing')
      .replace(/\*$/, 'missing.js');
  }

  /** Whether `caller` may get a 2xx from `route`: its role suffices and, where the route names tenant A's things, it is A's or an operator. */
  function permitted(route: RouteAccess | undefined, caller: Caller): boolean {
    if (!route) return false;
    if (route.access === 'public') return true;
    if (!caller.role) return false;
    if (rank[caller.role] < rank[route.access]) return false;
    const namesTenantA = route.url.includes('/:id') || (route.method === 'POST' && route.url === '/v1/keys');
    return !(namesTenantA && caller.role !== 'operator' && caller.tenant !== tenantA);
  }

  function body(route: RouteAccess): string | undefined {
    if (route.method === 'POST' && route.url === '/v1/sweeps') return JSON.stringify(spec);
    if (route.method === 'POST' && route.url === '/v1/keys')
      return JSON.stringify({ tenant: tenantA, role: 'read', name: 'matrix' });
    if (route.method === 'POST' && route.url === '/v1/session')
      return JSON.stringify({ key: 'fl_not_a_key' });
    return undefined;
  }

  async function stateOfTheWorld() {
    const keys = await harness.pool.query<{ total: number; active: number }>(
      'select count(*)::int as total, count(*) filter (where revoked_at is null)::int as active from api_keys',
    );
    const sweeps = await harness.pool.query<{ id: string; status: string }>(
      'select id, status from sweeps where tenant_id like $1 order by id',
      [`${tenantA}%`],
    );
    return {
      keys: keys.rows[0],
      sweeps: sweeps.rows,
      paused: await harness.queue.isPaused(),
      jobs: await harness.queue.getJobCounts('wait', 'prioritized', 'delayed', 'failed', 'completed'),
    };
  }

  it('never answers 2xx/3xx without the right role and tenant, never 5xx, and the attacks change nothing', async () => {
    const routes = harness.app.routes;
    const table = new Map(routes.map((r) => [`${r.method} ${r.url}`, r]));
    const cases = routes.flatMap((route) =>
      callers.flatMap((caller) =>
        spellings
          .filter((s) => !(s.name === 'method override' && route.method === 'HEAD'))
          .map((spelling) => {
            const override = spelling.name === 'method override';
            const method = override ? otherMethod(route.method) : route.method;
            // An override header is ignored: what answers is the route of the method actually sent.
            const answering = override ? table.get(`${method} ${route.url}`) : route;
            return { route, caller, spelling, method, override, allowed: permitted(answering, caller) };
          }),
      ),
    );
    const failures: string[] = [];
    const statuses = new Map<number, number>();
    async function send(c: (typeof cases)[number]) {
      const path = concretePath(c.route.url);
      const target = c.spelling.spell(path, port);
      const payload = c.override ? undefined : body(c.route);
      const headers: Record<string, string> = {};
      if (c.caller.token) headers.authorization = `Bearer ${c.caller.token}`;
      if (payload !== undefined) headers['content-type'] = 'application/json';
      if (c.override) {
        headers['x-http-method-override'] = c.route.method;
        headers['x-method-override'] = c.route.method;
        headers['x-http-method'] = c.route.method;
      }
      const response = await rawRequest(port, c.method, target, headers, payload);
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      const what = `${c.method} ${target} (${c.route.method} ${c.route.url}, ${c.spelling.name}) as ${c.caller.name} → ${response.status}`;
      // This worktree's dashboard may be unbuilt: `/` then answers its documented 503 notice.
      const dashboardNotBuilt = response.status === 503 && c.route.url === '/';
      if (response.status >= 500 && !dashboardNotBuilt)
        failures.push(`${what}: 5xx ${response.body.slice(0, 200)}`);
      else if (!c.allowed && response.status < 400)
        failures.push(`${what}: answered without the right role and tenant`);
    }
    async function run(batch: typeof cases) {
      let next = 0;
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          while (next < batch.length) await send(batch[next++]!);
        }),
      );
    }

    // First every attack (callers without the role or tenant), then the state must be untouched.
    const before = await stateOfTheWorld();
    expect(before.paused).toBe(false);
    expect((before.jobs.prioritized ?? 0) + (before.jobs.wait ?? 0)).toBeGreaterThan(0);
    await run(cases.filter((c) => !c.allowed));
    const after = await stateOfTheWorld();
    expect(after).toEqual(before);
    const victim = await harness.pool.query('select revoked_at from api_keys where id = $1', [victimKeyId]);
    expect(victim.rows[0].revoked_at).toBeNull();

    // Then the callers who may: anything but a 5xx.
    await run(cases.filter((c) => c.allowed));

    const routeCount = routes.length;
    const spellingCount = spellings.length;
    console.log(
      `[authz-matrix] ${routeCount} routes × ${callers.length} callers × ${spellingCount} spellings = ${cases.length} requests ` +
        `(${cases.filter((c) => !c.allowed).length} attacks); statuses ${JSON.stringify(Object.fromEntries([...statuses].sort(([a], [b]) => a - b)))}; ` +
        `failures ${failures.length}`,
    );
    expect(failures.slice(0, 40)).toEqual([]);
    expect(routes.length).toBeGreaterThan(20);
  });

  it('lists every route with the level it declares (Bull Board operator, the dashboard and docs public)', () => {
    const access = (method: string, url: string) =>
      harness.app.routes.find((r) => r.method === method && r.url === url)?.access;
    expect(access('POST', '/v1/keys')).toBe('admin');
    expect(access('GET', '/v1/queue')).toBe('operator');
    expect(access('GET', '/v1/sweeps')).toBe('read');
    expect(access('POST', '/v1/sweeps')).toBe('submit');
    expect(access('GET', '/healthz')).toBe('public');
    expect(access('GET', '/*')).toBe('public');
    const board = harness.app.routes.filter((r) => r.url.startsWith('/admin/queues'));
    expect(board.length).toBeGreaterThan(10);
    expect(new Set(board.map((r) => r.access))).toEqual(new Set(['operator']));
    const docs = harness.app.routes.filter((r) => r.url.startsWith('/docs'));
    expect(docs.length).toBeGreaterThan(0);
    expect(new Set(docs.map((r) => r.access))).toEqual(new Set(['public']));
  });
});
