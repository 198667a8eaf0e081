import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './support/harness.js';
import { rawRequest } from './support/raw-http.js';

// ≥ 10,000 generated and mutated requests at every route, on the real Postgres and Redis, their
// paths spelled in many ways: none may answer 5xx, every rejection must be the error envelope, and
// none may succeed without a key of the route's role. In-process (app.inject) where inject sends
// the target unmodified; over a raw socket where it would not (it resolves dot segments and drops
// an absolute-form target's origin).
const runs = 10_000;
/** encodeURIComponent throws on lone surrogates; a client would send U+FFFD instead. */
const loneSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const encode = (s: string) => encodeURIComponent(s.replace(loneSurrogate, '\ufffd'));

const validSpec = {
  name: 'fuzz seed spec',
  design: { kind: 'grid', axes: { dose: [0, 2], immuneKill: [0.035] } },
  cohort: { patients: 20, seed: 4242, chunkSize: 10 },
  params: { horizonDays: 60 },
  referenceArm: { dose: 0 },
  priority: 'low',
};

const nasty = fc.oneof(
  fc.constantFrom(
    'NaN',
    'Infinity',
    '-Infinity',
    '1e309',
    '-1e309',
    '9'.repeat(400),
    '0x10',
    '-0',
    '',
    ' ',
    'null',
    'true',
    '[]',
    '{}',
    '%00',
    '%',
    '../../etc/passwd',
    "'; drop table sweeps; --",
    '\u0000',
    '\ud800',
    '🧬🧫',
    'ß'.repeat(300),
  ),
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.integer().map(String),
  fc.double().map(String),
);

const jsonish = fc.oneof(
  fc.jsonValue(),
  fc.constantFrom(Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE, 2 ** 53 + 1, -1, 0, 1e21),
  nasty,
);

/** The valid spec with one field (at any depth) replaced, removed or duplicated into nonsense. */
function mutate(value: unknown, path: string[], replacement: unknown, remove: boolean): unknown {
  if (path.length === 0) return replacement;
  if (value === null || typeof value !== 'object') return value;
  const [head, ...rest] = path as [string, ...string[]];
  const copy: Record<string, unknown> = Array.isArray(value)
    ? ({ ...value } as Record<string, unknown>)
    : { ...value };
  if (remove && rest.length === 0) delete copy[head];
  else copy[head] = mutate(copy[head], rest, replacement, remove);
  return Array.isArray(value) ? Object.values(copy) : copy;
}
const specPaths = [
  ['name'],
  ['design'],
  ['design', 'kind'],
  ['design', 'axes'],
  ['design', 'axes', 'dose'],
  ['design', 'axes', 'dose', '1'],
  ['design', 'axes', 'immuneKill'],
  ['design', 'samples'],
  ['cohort'],
  ['cohort', 'patients'],
  ['cohort', 'seed'],
  ['cohort', 'chunkSize'],
  ['params'],
  ['params', 'horizonDays'],
  ['params', 'cellLossFactor'],
  ['params', '__proto__'],
  ['referenceArm'],
  ['referenceArm', 'dose'],
  ['priority'],
  ['extra'],
];
const mutatedSpec = fc
  .tuple(fc.constantFrom(...specPaths), jsonish, fc.boolean())
  .map(([path, replacement, remove]) => JSON.stringify(mutate(validSpec, path, replacement, remove)));

const rawBody = fc.oneof(
  mutatedSpec,
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc.string(),
  fc.constantFrom(
    '{"name": NaN}',
    '{"cohort": {"patients": Infinity}}',
    '{"design": {"kind": "grid", "axes": {"dose": [1e999]}}}',
    `${'['.repeat(10_000)}${']'.repeat(10_000)}`,
    `${'{"a":'.repeat(2_000)}1${'}'.repeat(2_000)}`,
    '{"__proto__": {"polluted": true}}',
    '{"constructor": {"prototype": {"x": 1}}}',
    '\uFEFF{}',
    '{"name": "a"',
  ),
);

const hex = (c: string) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`;
/** Spellings of a path; `raw` ones must reach the server byte for byte. */
const spellings: Record<string, { raw?: boolean; spell: (path: string, port: number) => string }> = {
  canonical: { spell: (p) => p },
  'percent-encoded letter': { spell: (p) => p.replace(/\/([a-zA-Z])/, (_, c) => `/${hex(c)}`) },
  'percent-encoded letters': { spell: (p) => p.replace(/[a-zA-Z]/g, hex) },
  'encoded slash': { spell: (p) => p.replace(/\/(?=[^/]*$)/, '%2F') },
  'double encoding': { spell: (p) => p.replace(/\/([a-zA-Z])/, (_, c) => `/%25${hex(c).slice(1)}`) },
  'dot-dot segment': { raw: true, spell: (p) => `/x/..${p}` },
  'encoded dot-dot segment': { raw: true, spell: (p) => `/x/%2e%2e${p}` },
  'dot segment': { raw: true, spell: (p) => `/.${p}` },
  'doubled slashes': { spell: (p) => p.replaceAll('/', '//') },
  'trailing slash': { spell: (p) => `${p}/` },
  'upper case': { spell: (p) => p.toUpperCase() },
  'absolute-form target': { raw: true, spell: (p, port) => `http://127.0.0.1:${port}${p}` },
  'matrix parameter': { spell: (p) => p.replace(/^\/([^/]*)/, '/$1;x=1') },
  'trailing matrix parameter': { spell: (p) => `${p};x=1` },
};

type Access = 'public' | 'read' | 'submit' | 'admin' | 'operator';
const rank = { read: 0, submit: 1, admin: 2, operator: 3 } as const;
/** The role a request (as sent: method and unspelled path) needs; unknown /v1 paths need at least a key. */
function neededAccess(method: string, path: string): Access {
  if (/^\/(healthz|readyz|metrics|openapi\.json)$/.test(path)) return 'public';
  if (path === '/v1/queue' || path.startsWith('/admin/')) return 'operator';
  if (path === '/v1/keys' || path.startsWith('/v1/keys/')) return 'admin';
  if (method !== 'GET' && method !== 'HEAD') return 'submit';
  return 'read';
}

describe('fuzzed requests at every route', () => {
  let harness: Harness;
  let sweepId: string;
  let readKey: string;
  beforeAll(async () => {
    harness = await startHarness({
      limits: {
        maxPoints: 50,
        maxPatientsPerPoint: 1_000,
        maxSimulations: 10_000,
        maxChunksPerSweep: 10_000,
        maxBodyBytes: 256 * 1024,
      },
      maxActiveSweeps: 1_000_000,
    });
    readKey = await harness.createKey('read');
    await harness.startWorker(1);
    sweepId = (await harness.submit(validSpec)).id;
    await harness.waitForSweep(sweepId, (s) => s.status === 'completed');
    await harness.stopWorkers();
  });
  afterAll(async () => {
    await harness?.stop();
  });

  it(`answers ${runs} generated requests without a 5xx, every rejection in the envelope`, async () => {
    const id = fc.oneof(
      fc.constant(sweepId),
      fc.uuid(),
      nasty.map((s) => encode(s)),
      fc.constantFrom(
        '..',
        '%2e%2e',
        '00000000-0000-0000-0000-000000000000',
        'FFFFFFFF-FFFF-4FFF-BFFF-FFFFFFFFFFFF',
      ),
    );
    const query = fc
      .dictionary(
        fc.constantFrom(
          'endpoint',
          'groupBy',
          'at',
          'metric',
          'maxPoints',
          'format',
          'limit',
          'cursor',
          'status',
          'x',
          '__proto__',
        ),
        fc.oneof(
          fc.constantFrom(
            'os',
            'pfs',
            'mfs',
            'dose',
            'dose,immuneKill',
            'csv',
            'parquet',
            'ndjson',
            '365,730',
            'survivalAt',
            'rmst',
            sweepId,
          ),
          nasty,
        ),
        { maxKeys: 4 },
      )
      .map((q) => {
        const params = Object.entries(q).map(([k, v]) => `${encode(k)}=${encode(v)}`);
        return params.length ? `?${params.join('&')}` : '';
      });
    const route = fc.oneof(
      fc.constantFrom('GET /v1/sweeps', 'POST /v1/sweeps', 'GET /v1/queue', 'GET /v1/keys', 'POST /v1/keys'),
      fc.constantFrom(
        'GET /healthz',
        'GET /readyz',
        'GET /metrics',
        'GET /openapi.json',
        'GET /admin/queues',
      ),
      {
        weight: 4,
        arbitrary: id.chain((i) =>
          fc.constantFrom(
            `GET /v1/sweeps/${i}`,
            `POST /v1/sweeps/${i}/cancel`,
            `GET /v1/sweeps/${i}/survival`,
            `GET /v1/sweeps/${i}/points`,
            `GET /v1/sweeps/${i}/sensitivity`,
            `GET /v1/sweeps/${i}/outcomes`,
            `GET /v1/sweeps/${i}/events`,
            `POST /v1/keys/${i}/revoke`,
            `DELETE /v1/sweeps/${i}`,
            `PUT /v1/sweeps/${i}`,
          ),
        ),
      },
      nasty.map((s) => `GET /v1/${encode(s)}`),
    );
    // Mostly valid keys, so most requests reach the routes behind authentication.
    const auth = fc.oneof(
      { arbitrary: fc.constant(`Bearer ${harness.apiKey}`), weight: 5 },
      { arbitrary: fc.constant(`Bearer ${readKey}`), weight: 2 },
      fc.constant(undefined),
      nasty.map((s) => `Bearer ${s}`),
      fc.constantFrom('Basic YTpi', 'Bearer', 'bearer  x y', `Bearer ${harness.apiKey.slice(0, -1)}x`),
    );
    const contentType = fc.constantFrom(
      'application/json',
      'application/json; charset=utf-8',
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data',
      undefined,
    );
    // Mostly the canonical path, so most requests reach the routes' own validation.
    const spelling = fc.oneof(
      { arbitrary: fc.constant('canonical'), weight: 3 },
      fc.constantFrom(...Object.keys(spellings).filter((name) => name !== 'canonical')),
    );
    const methodOverride = fc.oneof(
      { arbitrary: fc.constant(undefined), weight: 9 },
      fc.constantFrom('POST', 'PUT', 'DELETE', 'PATCH', 'GET'),
    );
    const port = Number(new URL(harness.apiUrl).port);
    const statuses = new Map<number, number>();
    const bySpelling = new Map<string, number>();

    await fc.assert(
      fc.asyncProperty(
        route,
        query,
        rawBody,
        auth,
        contentType,
        spelling,
        methodOverride,
        async (r, q, body, authorization, type, spellingName, override) => {
          const [method, path] = r.split(' ') as [string, string];
          const { raw, spell } = spellings[spellingName]!;
          const target = `${spell(path, port)}${q}`;
          const withBody = method === 'POST' || method === 'PUT';
          const headers: Record<string, string> = {};
          if (authorization !== undefined)
            // A raw socket sends bytes as given: keep the header to what the HTTP parser accepts.
            headers.authorization = raw
              ? authorization.replace(/[^\x20-\x7e]/g, '?')
              : authorization.replace(/[\r\n]/g, '');
          if (withBody && type) headers['content-type'] = type;
          if (override) headers['x-http-method-override'] = override;
          const response = raw
            ? await rawRequest(port, method, target, headers, withBody ? body : undefined).then((res) => ({
                statusCode: res.status,
                body: res.body,
              }))
            : await harness.app.inject({
                method: method as 'GET',
                url: target,
                headers,
                ...(withBody ? { payload: body } : {}),
              });
          statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);
          bySpelling.set(spellingName, (bySpelling.get(spellingName) ?? 0) + 1);
          const what = `${method} ${target} (${spellingName}, override ${override ?? 'none'}) → ${response.statusCode} ${response.body.slice(0, 300)}`;
          expect(response.statusCode, what).toBeLessThan(500);
          // Authorization, not just status classes: no success without a key of the route's role.
          const role =
            authorization === `Bearer ${harness.apiKey}`
              ? 'operator'
              : authorization === `Bearer ${readKey}`
                ? 'read'
                : undefined;
          const needed = neededAccess(method, path);
          const permitted = needed === 'public' || (role !== undefined && rank[role] >= rank[needed]);
          if (!permitted)
            expect(response.statusCode, `without the role: ${what}`).toBeGreaterThanOrEqual(400);
          if (response.statusCode >= 400) {
            const parsed = JSON.parse(response.body);
            expect(parsed).toMatchObject({
              error: { code: expect.any(String), message: expect.any(String), requestId: expect.any(String) },
            });
            expect(Object.keys(parsed)).toEqual(['error']);
          }
        },
      ),
      { numRuns: runs, seed: 20_261_129, endOnFailure: true },
    );

    const total = [...statuses.values()].reduce((a, b) => a + b, 0);
    expect(total).toBe(runs);
    const fiveHundreds = [...statuses].filter(([s]) => s >= 500).reduce((a, [, n]) => a + n, 0);
    expect(fiveHundreds).toBe(0);
    // The mix reached the routes, not just the front door: successes, rejections and auth failures all occur.
    for (const status of [200, 400, 401, 404]) expect(statuses.get(status) ?? 0).toBeGreaterThan(50);
    for (const name of Object.keys(spellings)) expect(bySpelling.get(name) ?? 0, name).toBeGreaterThan(100);
    console.log(
      `[fuzz] statuses: ${JSON.stringify(Object.fromEntries([...statuses].sort(([a], [b]) => a - b)))}; spellings: ${JSON.stringify(Object.fromEntries(bySpelling))}`,
    );
  });
});
