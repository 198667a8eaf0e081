import { describe, expect, it } from 'vitest';
import {
  apiError,
  apiErrorCodeSchema,
  apiErrorEnvelopeSchema,
  apiErrorStatus,
  formatPath,
} from '../src/index.js';

describe('error envelope', () => {
  it('maps every code to its HTTP status', () => {
    expect(apiErrorStatus).toEqual({
      bad_request: 400,
      validation_failed: 400,
      not_found: 404,
      payload_too_large: 413,
      limit_exceeded: 422,
      unauthorized: 401,
      forbidden: 403,
      rate_limited: 429,
      conflict: 409,
      unavailable: 503,
      internal: 500,
    });
    expect(Object.keys(apiErrorStatus).sort()).toEqual([...apiErrorCodeSchema.options].sort());
  });

  it('builds a schema-valid envelope carrying the request id', () => {
    const error = apiError('not_found', 'no sweep 42');
    expect(error.status).toBe(404);
    expect(error).toBeInstanceOf(Error);
    expect(error.toEnvelope('req-1')).toEqual({
      error: { code: 'not_found', message: 'no sweep 42', requestId: 'req-1' },
    });
    const detailed = apiError('validation_failed', 'bad', [
      { path: 'cohort.seed', rule: 'must be an integer' },
    ]);
    const envelope = detailed.toEnvelope('req-2');
    expect(apiErrorEnvelopeSchema.parse(envelope)).toEqual(envelope);
    expect(envelope.error.details).toEqual([{ path: 'cohort.seed', rule: 'must be an integer' }]);
  });

  it('rejects envelopes with unknown codes', () => {
    expect(
      apiErrorEnvelopeSchema.safeParse({ error: { code: 'oops', message: 'x', requestId: 'r' } }).success,
    ).toBe(false);
  });
});

describe('formatPath', () => {
  it.each([
    [[], ''],
    [['design', 'axes', 'dose', 2], 'design.axes.dose[2]'],
    [['params', 'cellLossFactor'], 'params.cellLossFactor'],
    [['referenceArm', 'odd key'], 'referenceArm["odd key"]'],
    [[0, 'a'], '[0].a'],
  ])('%j → %s', (path, text) => {
    expect(formatPath(path)).toBe(text);
  });
});
