import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  listSweepsQuerySchema,
  parseSweepSpec,
  pointsQuerySchema,
  routeContracts,
  survivalQuerySchema,
  sweepCreatedSchema,
  sweepListSchema,
  sweepSpecSchema,
  sweepStatusSchema,
} from '../src/index.js';
import { issueSpec } from './fixtures.js';

const id = '0b7f7c1e-2d7a-4a4e-9a43-6f1c2b9d8e11';

function statusOf(spec: unknown) {
  return {
    id,
    name: 'dose x immunity x plasticity',
    status: 'running',
    priority: 'normal',
    progress: { done: 9000, total: 18000, failed: 2, reused: 500 },
    ratePerSecond: 1500.5,
    etaSeconds: 6,
    points: 36,
    patients: 500,
    outcomes: 'full',
    createdAt: '2025-01-02T03:04:05.000Z',
    startedAt: '2025-01-02T03:04:06.000Z',
    finishedAt: null,
    failureReason: null,
    spec,
    modelId: 'lf-tid@1',
    codeVersion: 'abc123',
  };
}

describe('API response schemas', () => {
  it('accept a created sweep', () => {
    const created = {
      id,
      status: 'queued',
      points: 36,
      patients: 500,
      simulations: 18000,
      reused: 0,
      warnings: [],
    };
    expect(sweepCreatedSchema.parse(created)).toEqual(created);
    expect(sweepCreatedSchema.safeParse({ ...created, status: 'pending' }).success).toBe(false);
  });

  it('accept a sweep status carrying the accepted spec and its workers', () => {
    const parsed = parseSweepSpec(issueSpec());
    if (!parsed.ok) throw new Error('issue spec rejected');
    const status = { ...statusOf(parsed.spec), workers: [{ host: 'worker-1:123', chunks: 4 }] };
    expect(sweepStatusSchema.parse(status)).toEqual(status);
    expect(sweepStatusSchema.safeParse({ ...status, etaSeconds: undefined }).success).toBe(false);
    expect(sweepStatusSchema.safeParse({ ...status, createdAt: 'yesterday' }).success).toBe(false);
    // No rate before the first chunk finished: null, as the database reports it.
    expect(sweepStatusSchema.safeParse({ ...status, ratePerSecond: null }).success).toBe(true);
  });

  it('list rows are summaries with the spec; the cursor is a sweep id', () => {
    const parsed = parseSweepSpec(issueSpec());
    if (!parsed.ok) throw new Error('issue spec rejected');
    const list = { items: [statusOf(parsed.spec)], nextCursor: id };
    expect(sweepListSchema.parse(list)).toEqual(list);
    expect(sweepListSchema.safeParse({ ...list, nextCursor: 'c' }).success).toBe(false);
  });

  it('coerce and bound the list query as the route does', () => {
    expect(listSweepsQuerySchema.parse({})).toEqual({ limit: 50 });
    expect(listSweepsQuerySchema.parse({ limit: '200', cursor: id })).toEqual({ limit: 200, cursor: id });
    expect(listSweepsQuerySchema.safeParse({ limit: '201' }).success).toBe(false);
    expect(listSweepsQuerySchema.safeParse({ limit: '0' }).success).toBe(false);
  });

  it('declare the error envelope for every error status of a route, and its access', () => {
    const { get } = routeContracts.sweeps;
    expect(get.access).toBe('read');
    for (const status of [400, 401, 403, 404, 429, 500, 503] as const) {
      const envelope = { error: { code: 'not_found', message: 'no sweep', requestId: 'r1' } };
      expect(get.schema.response[status].parse(envelope)).toEqual(envelope);
    }
  });

  it('parse survival and points queries as the routes read them', () => {
    expect(survivalQuerySchema.parse({ groupBy: 'dose, immuneKill', at: ['30', '90.5'] })).toEqual({
      endpoint: 'os',
      groupBy: ['dose', 'immuneKill'],
      at: [30, 90.5],
    });
    expect(survivalQuerySchema.safeParse({ endpoint: 'xyz' }).success).toBe(false);
    expect(pointsQuerySchema.parse({ offset: '10' })).toEqual({ offset: 10 });
  });

  it('convert to JSON Schema for OpenAPI', () => {
    const request = z.toJSONSchema(sweepSpecSchema, { io: 'input' });
    expect(request.required).toEqual(['name', 'design', 'cohort']);
    expect(request.additionalProperties).toBe(false);
    expect(() => z.toJSONSchema(sweepStatusSchema, { io: 'output' })).not.toThrow();
    expect(() => z.toJSONSchema(sweepCreatedSchema)).not.toThrow();
  });
});
