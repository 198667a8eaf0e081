import { type RouteContract, routeContracts } from '@frontline/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './support/harness.js';

interface Operation {
  parameters?: { in: string; name: string; schema?: unknown }[];
  requestBody?: { content?: Record<string, { schema?: unknown }> };
  responses?: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}

const contracts: RouteContract[] = Object.values(routeContracts).flatMap((area) => Object.values(area));
const v1Contracts = contracts.filter((c) => c.url.startsWith('/v1/'));
/** `/v1/sweeps/:id` → `/v1/sweeps/{id}`, as OpenAPI writes paths. */
const openApiPath = (url: string) => url.replace(/:(\w+)/g, '{$1}');
const keyedStatuses = [401, 403, 429, 500, 503];

describe('/openapi.json documents every request and response of every /v1 route', () => {
  let harness: Harness;
  let document: { paths: Record<string, Record<string, Operation>> };
  beforeAll(async () => {
    harness = await startHarness();
    const response = await fetch(`${harness.apiUrl}/openapi.json`);
    expect(response.status).toBe(200);
    document = (await response.json()) as typeof document;
  });
  afterAll(async () => {
    await harness?.stop();
  });

  it('has a contract for every /v1 route the API serves, and an operation for every contract', () => {
    const served = harness.app.routes
      .filter((r) => r.url.startsWith('/v1/') && r.method !== 'HEAD')
      .map((r) => `${r.method} ${r.url}`)
      .sort();
    expect(served).toEqual(v1Contracts.map((c) => `${c.method} ${c.url}`).sort());
    const documented = Object.entries(document.paths)
      .filter(([path]) => path.startsWith('/v1/'))
      .flatMap(([path, ops]) => Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`))
      .sort();
    expect(documented).toEqual(v1Contracts.map((c) => `${c.method} ${openApiPath(c.url)}`).sort());
    // Access in the registered route is the contract's.
    for (const contract of v1Contracts)
      expect(harness.app.routes).toContainEqual({
        method: contract.method,
        url: contract.url,
        access: contract.access,
      });
  });

  it('every operation has a schema for each path parameter, query parameter and body it takes', () => {
    let checked = 0;
    for (const contract of v1Contracts) {
      const op = document.paths[openApiPath(contract.url)]![contract.method.toLowerCase()]!;
      const where = `${contract.method} ${contract.url}`;
      const parameters = op.parameters ?? [];
      for (const name of [...contract.url.matchAll(/:(\w+)/g)].map((m) => m[1]!)) {
        const parameter = parameters.find((p) => p.in === 'path' && p.name === name);
        expect(parameter?.schema, `${where}: path parameter ${name}`).toBeTruthy();
        checked++;
      }
      if (contract.schema.querystring) {
        const query = parameters.filter((p) => p.in === 'query');
        expect(query.length, `${where}: query parameters`).toBeGreaterThan(0);
        for (const p of query) expect(p.schema, `${where}: query ${p.name}`).toBeTruthy();
        checked++;
      }
      if (contract.schema.body) {
        expect(op.requestBody?.content?.['application/json']?.schema, `${where}: body`).toBeTruthy();
        checked++;
      }
      // A POST with no body declared takes none (cancel, revoke, sign-out is a DELETE).
      if (!contract.schema.body) expect(op.requestBody, `${where}: undeclared body`).toBeUndefined();
    }
    expect(checked).toBeGreaterThan(0);
    console.info(`openapi: ${checked} request schemas checked`);
  });

  it('every operation has a response schema for each status it can return', () => {
    let statuses = 0;
    for (const contract of v1Contracts) {
      const op = document.paths[openApiPath(contract.url)]![contract.method.toLowerCase()]!;
      const where = `${contract.method} ${contract.url}`;
      const declared = Object.keys(contract.schema.response).map(Number);
      // What the API answers whatever the route: the key checks, the rate limit, Postgres busy or down.
      const mustDeclare = [
        ...(contract.access === 'public' ? [500] : keyedStatuses),
        ...(contract.schema.params || contract.schema.querystring || contract.schema.body ? [400] : []),
        ...(contract.url.includes(':id') ? [404] : []),
      ];
      for (const status of mustDeclare) expect(declared, `${where} declares ${status}`).toContain(status);
      expect(
        declared.some((s) => s >= 200 && s < 300),
        `${where}: a success status`,
      ).toBe(true);
      for (const status of declared) {
        const response = op.responses?.[String(status)];
        expect(response, `${where}: response ${status}`).toBeDefined();
        if (status === 204) continue; // no content
        const content = Object.entries(response!.content ?? {});
        expect(content.length, `${where}: content of ${status}`).toBeGreaterThan(0);
        for (const [type, media] of content) expect(media.schema, `${where}: ${status} ${type}`).toBeTruthy();
        if (status >= 400)
          expect(
            JSON.stringify(response!.content!['application/json']!.schema),
            `${where}: ${status} is the error envelope`,
          ).toContain('requestId');
        statuses++;
      }
    }
    console.info(`openapi: ${v1Contracts.length} /v1 operations, ${statuses} response statuses checked`);
    expect(v1Contracts.length).toBe(19);
  });

  it('documents streams as their own content types, not JSON', () => {
    const events = document.paths['/v1/sweeps/{id}/events']!.get!.responses!['200']!.content!;
    expect(Object.keys(events)).toEqual(['text/event-stream']);
    const outcomes = document.paths['/v1/sweeps/{id}/outcomes']!.get!.responses!['200']!.content!;
    expect(Object.keys(outcomes).sort()).toEqual([
      'application/vnd.apache.parquet',
      'application/x-ndjson',
      'text/csv',
    ]);
  });
});
