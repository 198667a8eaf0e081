/** What a reconciler pass needs: the sweep service's reconcile() and where to count its re-enqueues. */
export interface ReconcilerDeps {
  reconcile: () => Promise<number>;
  requeued: { inc(value: number): void };
  logger: { warn(details: object, message: string): void };
  intervalMs: number;
}

/**
 * Heal the queue from Postgres: one pass now (a Redis that lost its data) and then every interval.
 * Passes never overlap: while Redis or Postgres is slow a pass may outlast the interval, and two
 * passes would both see the same failed job and remove the one the other had just re-added.
 */
export function startReconciler({ reconcile, requeued, logger, intervalMs }: ReconcilerDeps) {
  let running: Promise<void> | undefined;
  const pass = () => {
    if (running) return;
    running = reconcile()
      .then((count) => {
        requeued.inc(count);
        if (count > 0) logger.warn({ requeued: count }, 'reconciler re-enqueued missing chunks');
      })
      .catch((error: unknown) => logger.warn({ err: error }, 'reconcile failed'))
      .finally(() => {
        running = undefined;
      });
  };
  pass();
  const timer = setInterval(pass, intervalMs);
  return {
    /** Stop the timer and wait for a pass in progress. */
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
export type Reconciler = ReturnType<typeof startReconciler>;
