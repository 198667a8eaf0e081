import { EventEmitter } from 'node:events';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import { createGate, RetryableError } from '../src/capacity.js';

/** A request of `tenant` with key `key`, and its response, which "closes" when `finish()` is called. */
function exchange(tenant: string, key: string) {
  const raw = Object.assign(new EventEmitter(), { closed: false });
  return {
    request: { auth: { id: key, tenantId: tenant }, ip: '127.0.0.1' } as unknown as FastifyRequest,
    reply: { raw } as unknown as FastifyReply,
    finish() {
      raw.closed = true;
      raw.emit('close');
    },
  };
}

const gate = (queueMs = 1_000) =>
  createGate({
    what: 'survival or points requests',
    concurrency: 3,
    perKey: 2,
    queueMs,
    names: { concurrency: 'HEAVY_CONCURRENCY', perKey: 'HEAVY_PER_KEY' },
  });

describe('the heavy gate', () => {
  it('refuses a key past its limit and a tenant past all slots but one with 429 + Retry-After', async () => {
    const g = gate();
    const a1 = [exchange('A', 'a1'), exchange('A', 'a1')];
    for (const e of a1) await g.enter(e.request, e.reply);
    const third = exchange('A', 'a1');
    const perKey = await g.enter(third.request, third.reply).catch((e: RetryableError) => e);
    expect(perKey).toBeInstanceOf(RetryableError);
    expect(perKey).toMatchObject({
      status: 429,
      retryAfterSeconds: 1,
      message:
        'this API key already has 2 survival or points requests in flight; the limit is 2 (HEAVY_PER_KEY): retry when one has finished',
    });
    const otherKey = exchange('A', 'a2');
    const perTenant = await g.enter(otherKey.request, otherKey.reply).catch((e: RetryableError) => e);
    expect(perTenant).toMatchObject({
      status: 429,
      message:
        'this tenant already has 2 survival or points requests in flight; the limit is 2 (HEAVY_CONCURRENCY − 1): retry when one has finished',
    });
    // The slot left is another tenant's.
    const b = exchange('B', 'b1');
    await g.enter(b.request, b.reply);
    expect(g.inFlight).toBe(3);
    // A closed response gives its slot back.
    a1[0]!.finish();
    expect(g.inFlight).toBe(2);
  });

  it('hands a freed slot to the tenant holding the fewest, and answers 503 to a waiter past queueMs', async () => {
    const g = gate(200);
    const a = exchange('A', 'a1');
    const c = [exchange('C', 'c1'), exchange('C', 'c1')];
    for (const e of [a, ...c]) await g.enter(e.request, e.reply);
    const order: string[] = [];
    const waitingA = exchange('A', 'a2');
    const waitingB = exchange('B', 'b1');
    // A queued first, B second: B holds nothing, A holds 1 → the freed slot goes to B.
    const enteredA = g.enter(waitingA.request, waitingA.reply).then(
      () => order.push('A'),
      (error: RetryableError) => order.push(`A ${error.status} retry ${error.retryAfterSeconds}`),
    );
    const enteredB = g.enter(waitingB.request, waitingB.reply).then(() => order.push('B'));
    expect(g.waiting).toBe(2);
    c[0]!.finish();
    await enteredB;
    // No slot frees again: A times out in the queue.
    await enteredA;
    expect(order).toEqual(['B', 'A 503 retry 2']);
    expect(g.waiting).toBe(0);
  });
});
