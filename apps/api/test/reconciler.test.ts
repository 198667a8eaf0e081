import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { startReconciler } from '../src/reconciler.js';

/** Poll until `done` holds: the interval's timing is the machine's, not the test's. */
async function until(done: () => boolean) {
  const deadline = Date.now() + 10_000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await sleep(5);
  }
}

/** A pass's report that only re-enqueued `requeued` chunks. */
const requeuedOnly = (requeued: number) => ({ requeued, failedSweeps: [], errors: [] });

function recorder() {
  const warnings: string[] = [];
  let requeued = 0;
  return {
    warnings,
    requeued: () => requeued,
    deps: {
      requeued: {
        inc: (n: number) => {
          requeued += n;
        },
      },
      logger: { warn: (_details: object, message: string) => void warnings.push(message) },
    },
  };
}

describe('startReconciler', () => {
  it('runs a pass at once and then every interval, counting what it re-enqueued', async () => {
    const seen = recorder();
    let passes = 0;
    const reconciler = startReconciler({
      ...seen.deps,
      reconcile: async () => requeuedOnly(++passes === 1 ? 3 : 0),
      intervalMs: 20,
    });
    expect(passes).toBe(1);
    await until(() => passes >= 3);
    await reconciler.stop();
    expect(seen.requeued()).toBe(3);
    expect(seen.warnings).toEqual(['reconciler re-enqueued missing chunks']);
  });

  it('never overlaps passes, and stop() waits for the one in progress', async () => {
    const seen = recorder();
    let running = 0;
    let mostAtOnce = 0;
    let finished = 0;
    const reconciler = startReconciler({
      ...seen.deps,
      reconcile: async () => {
        running++;
        mostAtOnce = Math.max(mostAtOnce, running);
        await sleep(60); // a slow pass: Redis or Postgres struggling
        running--;
        finished++;
        return requeuedOnly(1);
      },
      intervalMs: 10,
    });
    await until(() => finished >= 3);
    await reconciler.stop();
    expect(mostAtOnce).toBe(1);
    expect(running).toBe(0);
    expect(seen.requeued()).toBe(finished);
  });

  it('logs a failed pass and keeps going', async () => {
    const seen = recorder();
    let passes = 0;
    const reconciler = startReconciler({
      ...seen.deps,
      reconcile: async () => {
        passes++;
        if (passes === 1) throw new Error('connect ECONNREFUSED');
        return requeuedOnly(0);
      },
      intervalMs: 10,
    });
    await until(() => passes >= 2);
    await reconciler.stop();
    expect(seen.warnings[0]).toBe('reconcile failed');
  });

  it('logs each sweep it failed or could not heal, and counts what the others re-enqueued', async () => {
    const seen = recorder();
    const reconciler = startReconciler({
      ...seen.deps,
      reconcile: async () => ({
        requeued: 4,
        failedSweeps: [{ sweepId: 'a', reason: 'the queue refused the chunks of this sweep: bad priority' }],
        errors: [{ sweepId: 'b', error: new Error('Connection is closed.') }],
      }),
      intervalMs: 60_000,
    });
    await until(() => seen.warnings.length >= 3);
    await reconciler.stop();
    expect(seen.requeued()).toBe(4);
    expect(seen.warnings).toEqual([
      'reconciler re-enqueued missing chunks',
      'reconciler failed a sweep the queue refused',
      'reconciler could not re-enqueue a sweep; retrying next pass',
    ]);
  });
});
