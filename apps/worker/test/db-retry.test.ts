import { describe, expect, it } from 'vitest';
import { isConnectionError, retryWhileUnreachable } from '../src/db-retry.js';

describe('retryWhileUnreachable', () => {
  it('classifies connection failures, not query errors, as retryable', () => {
    expect(
      isConnectionError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })),
    ).toBe(true);
    expect(isConnectionError(Object.assign(new Error('terminating connection'), { code: '57P01' }))).toBe(
      true,
    );
    expect(
      isConnectionError(Object.assign(new Error('the database system is starting up'), { code: '57P03' })),
    ).toBe(true);
    expect(isConnectionError(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isConnectionError(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBe(false);
    expect(isConnectionError(Object.assign(new Error('syntax error'), { code: '42601' }))).toBe(false);
  });

  it('retries through an outage and returns the eventual result', async () => {
    let calls = 0;
    const delays: number[] = [];
    const result = await retryWhileUnreachable(
      async () => {
        calls++;
        if (calls < 4) throw Object.assign(new Error('refused'), { code: 'ECONNREFUSED' });
        return 42;
      },
      { onRetry: (_e, ms) => delays.push(ms) },
    );
    expect(result).toBe(42);
    expect(calls).toBe(4);
    expect(delays).toEqual([250, 500, 1000]);
  });

  it('does not retry a query error, and gives up on an outage past its budget', async () => {
    let calls = 0;
    await expect(
      retryWhileUnreachable(async () => {
        calls++;
        throw Object.assign(new Error('duplicate key'), { code: '23505' });
      }),
    ).rejects.toThrow('duplicate key');
    expect(calls).toBe(1);
    await expect(
      retryWhileUnreachable(
        async () => {
          throw Object.assign(new Error('refused'), { code: 'ECONNREFUSED' });
        },
        { budgetMs: 600 },
      ),
    ).rejects.toThrow('refused');
  });
});
