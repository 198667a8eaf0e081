import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  listSweepsQuerySchema,
  parseSweepSpec,
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

  it('accept a sweep status carrying the accepted spec', () => {
    const parsed = parseSweepSpec(issueSpec());
    if (!parsed.ok) throw new Error('issue spec rejected');
    const status = statusOf(parsed.spec);
    expect(sweepStatusSchema.parse(status)).toEqual(status);
    expect(sweepStatusSchema.safeParse({ ...status, etaSeconds: undefined }).success).toBe(false);
    expect(sweepStatusSchema.safeParse({ ...status, createdAt: 'yesterday' }).success).toBe(false);
  });

  it('list rows are statuses without the spec', () => {
    const { spec: _spec, ...row } = statusOf(issueSpec());
    const list = { items: [row], nextCursor: null };
    expect(sweepListSchema.parse(list)).toEqual(list);
    expect(
      sweepListSchema.parse({ items: [statusOf(issueSpec())], nextCursor: 'c' }).items[0],
    ).not.toHaveProperty('spec');
  });

  it('coerce and bound the list query', () => {
    expect(listSweepsQuerySchema.parse({})).toEqual({ limit: 20 });
    expect(listSweepsQuerySchema.parse({ limit: '5', status: 'failed' })).toEqual({
      limit: 5,
      status: 'failed',
    });
    expect(listSweepsQuerySchema.safeParse({ limit: '500' }).success).toBe(false);
  });

  it('convert to JSON Schema for OpenAPI', () => {
    const request = z.toJSONSchema(sweepSpecSchema, { io: 'input' });
    expect(request.required).toEqual(['name', 'design', 'cohort']);
    expect(request.additionalProperties).toBe(false);
    expect(() => z.toJSONSchema(sweepStatusSchema, { io: 'output' })).not.toThrow();
    expect(() => z.toJSONSchema(sweepCreatedSchema)).not.toThrow();
  });
});
