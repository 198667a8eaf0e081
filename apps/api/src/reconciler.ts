import type { ReconcileReport } from './sweep-service.js';

/** What a reconciler pass needs: the sweep service's reconcile() and where to count its re-enqueues. */
export interface ReconcilerDeps {
  reconcile: () => Promise<ReconcileReport>;
  requeued: { inc(value: number): void };
  logger: { warn(details: object, message: string): void };
  intervalMs: number;
}

/**
 * Heal the queue from Postgres: one pass now (a Redis that lost its data) and then every interval.
 * Passes never overlap: while Redis or Postgres is slow a pass may outlast the interval, and two
 * passes would both see the same failed job and remove the one the other had just re-added.
 * A pass heals sweep by sweep (see SweepService.reconcile); what it could not heal is logged here.
 */
export function startReconciler({ reconcile, requeued, logger, intervalMs }: ReconcilerDeps) {
  let running: Promise<void> | undefined;
  const pass = () => {
    if (running) return;
    running = reconcile()
      .then((report) => {
        requeued.inc(report.requeued);
        if (report.requeued > 0)
          logger.warn({ requeued: report.requeued }, 'reconciler re-enqueued missing chunks');
        for (const { sweepId, reason } of report.failedSweeps)
          logger.warn({ sweepId, reason }, 'reconciler failed a sweep the queue refused');
        for (const { sweepId, error } of report.errors)
          logger.warn({ sweepId, err: error }, 'reconciler could not re-enqueue a sweep; retrying next pass');
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
