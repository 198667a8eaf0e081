import { createMetricsRegistry } from '@frontline/runtime';
import { Counter, Gauge, Histogram } from 'prom-client';

/** `busyThreads` reads the pool's threads running a chunk now (at scrape time). */
export function createWorkerMetrics(busyThreads: () => number = () => 0) {
  const registry = createMetricsRegistry('worker');
  return {
    registry,
    simulated: new Counter({
      name: 'frontline_simulations_total',
      help: 'Virtual patients simulated by this worker',
      registers: [registry],
    }),
    rowsWritten: new Counter({
      name: 'frontline_outcome_rows_written_total',
      help: 'Outcome rows inserted into Postgres (duplicates of a retried chunk excluded)',
      registers: [registry],
    }),
    chunkSeconds: new Histogram({
      name: 'frontline_chunk_duration_seconds',
      help: 'Wall time of one chunk: simulation plus its database write',
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120],
      registers: [registry],
    }),
    busyThreads: new Gauge({
      name: 'frontline_worker_busy_threads',
      help: 'Simulation threads running a chunk now (at most the pool size)',
      registers: [registry],
      collect() {
        this.set(busyThreads());
      },
    }),
    /** Chunk jobs this worker holds (up to its BullMQ concurrency; more than threads while writing or waiting). */
    runningChunks: new Gauge({
      name: 'frontline_worker_running_chunks',
      help: 'Chunk jobs this worker is processing (simulating, waiting for a thread, or writing outcomes)',
      registers: [registry],
    }),
  };
}
