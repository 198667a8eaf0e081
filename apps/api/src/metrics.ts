import { createMetricsRegistry } from '@frontline/runtime';
import { Counter, Gauge } from 'prom-client';
import type { QueueMonitor, QueueStatus } from './queue-status.js';

const jobStates = ['waiting', 'active', 'delayed', 'failed', 'completed'] as const;

/**
 * The API's Prometheus registry: default process metrics (event-loop lag included), the queues as
 * the API sees them (job counts by state as `bullmq_job_count`, like BullMQ's own exporter, plus
 * throughput, oldest waiting job and connected workers), and the reconciler's re-enqueues.
 * Worker-side series (simulations, chunk durations, rows written) live on each worker's /metrics.
 */
export function createApiMetrics(monitor: QueueMonitor) {
  const registry = createMetricsRegistry('api');
  // Every queue gauge reads the same status; the monitor collapses the concurrent reads into one.
  const gauge = (
    name: string,
    help: string,
    labelNames: string[],
    read: (q: QueueStatus) => [Record<string, string>, number][],
  ) =>
    new Gauge({
      name,
      help,
      labelNames,
      registers: [registry],
      async collect() {
        const queues = await monitor.status().catch(() => []);
        this.reset();
        for (const queue of queues) for (const [labels, value] of read(queue)) this.set(labels, value);
      },
    });

  gauge('bullmq_job_count', 'Number of jobs in the queue by state', ['queue', 'state'], (q) =>
    jobStates.map((state) => [{ queue: q.name, state }, q.counts[state]]),
  );
  gauge(
    'frontline_queue_simulations_per_second',
    'Patients simulated per second by the jobs completed in the last minute',
    ['queue'],
    (q) => [[{ queue: q.name }, q.throughput.simulationsPerSecond]],
  );
  gauge(
    'frontline_queue_completed_jobs_last_minute',
    'Chunk jobs completed in the last minute',
    ['queue'],
    (q) => [[{ queue: q.name }, q.throughput.completedJobs]],
  );
  gauge(
    'frontline_queue_oldest_waiting_seconds',
    'Age of the oldest waiting job (0 when none)',
    ['queue'],
    (q) => [[{ queue: q.name }, q.oldestWaitingAgeSeconds ?? 0]],
  );
  gauge('frontline_queue_workers', 'Workers connected to the queue', ['queue'], (q) => [
    [{ queue: q.name }, q.workers.length],
  ]);

  return {
    registry,
    reconcilerRequeued: new Counter({
      name: 'frontline_reconciler_requeued_total',
      help: 'Pending chunks the reconciler re-enqueued because Redis no longer held their jobs',
      registers: [registry],
    }),
  };
}
export type ApiMetrics = ReturnType<typeof createApiMetrics>;
