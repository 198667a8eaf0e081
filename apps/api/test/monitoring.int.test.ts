import type { QueueStatus } from '@frontline/contracts';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type Harness, startHarness } from './support/harness.js';
import { startApp } from './support/processes.js';

// Small grids at a short horizon: the monitoring, not the model, is under test.
function gridSpec(seed: number, patients: number, chunkSize: number) {
  return {
    name: `monitoring ${seed}`,
    design: { kind: 'grid', axes: { dose: [0, 2], immuneKill: [0.035, 0.1] } },
    cohort: { patients, seed, chunkSize },
    params: { horizonDays: 180 },
  };
}

interface ServerSentEvent {
  id?: string;
  event: string;
  data: { id: string; status: string; progress: { done: number; total: number }; etaSeconds: number | null };
}

/** Read a whole SSE stream until the server ends it. */
async function readEvents(
  url: string,
  headers: Record<string, string>,
  onEvent: (e: ServerSentEvent) => void = () => {},
) {
  const response = await fetch(url, { headers, signal: AbortSignal.timeout(150_000) });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const events: ServerSentEvent[] = [];
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const bytes of response.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(bytes, { stream: true });
    let boundary = buffer.indexOf('\n\n');
    while (boundary >= 0) {
      const block = buffer.slice(0, boundary);
      buffer = buffer.slice(boundary + 2);
      boundary = buffer.indexOf('\n\n');
      const fields = new Map<string, string>();
      for (const line of block.split('\n')) {
        if (line.startsWith(':') || !line.includes(':')) continue;
        const at = line.indexOf(':');
        fields.set(line.slice(0, at), line.slice(at + 1).trimStart());
      }
      const data = fields.get('data');
      if (data === undefined) continue; // retry hint or keep-alive
      const event = { id: fields.get('id'), event: fields.get('event') ?? 'message', data: JSON.parse(data) };
      events.push(event);
      onEvent(event);
    }
  }
  return events;
}

/** Prometheus text → value of the first sample whose name and labels match. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)(\{(.*)\})?\s+(\S+)/.exec(line);
    if (!match || match[1] !== name) continue;
    const present = Object.fromEntries(
      [...(match[3] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]),
    );
    if (Object.entries(labels).every(([k, v]) => present[k] === v)) return Number(match[4]);
  }
  return undefined;
}

async function scrape(url: string) {
  const response = await fetch(`${url}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
  return response.text();
}

/** Sum of `requeued` over the reconciler's log lines so far. */
function loggedRequeues(log: string): number {
  return log
    .split('\n')
    .filter((line) => line.includes('reconciler re-enqueued missing chunks'))
    .reduce((sum, line) => sum + (JSON.parse(line) as { requeued: number }).requeued, 0);
}

function workerUrl(readyLine: string): string {
  const { url } = JSON.parse(readyLine) as { url?: string };
  if (!url) throw new Error(`worker ready without a metrics url: ${readyLine}`);
  return url;
}

describe('monitoring: queue view, SSE progress, Prometheus metrics', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(async () => {
    await harness?.stop();
  });

  it('GET /v1/queue: waiting jobs and their age before a worker runs; workers and throughput after', async () => {
    const submittedAfter = Date.now();
    const created = await harness.submit(gridSpec(2001, 40, 10)); // 4 points × 4 chunks
    const queued = await harness.request('GET', '/v1/queue');
    const waitedAtMost = (Date.now() - submittedAfter) / 1000;
    expect(queued.status).toBe(200);
    expect(queued.body.queues).toHaveLength(1);
    const before = queued.body.queues[0] as QueueStatus;
    expect(before).toMatchObject({
      name: 'frontline-chunks',
      prefix: harness.queue.opts.prefix,
      paused: false,
      counts: { waiting: 16, active: 0, delayed: 0, failed: 0, completed: 0 },
      workers: [],
      throughput: {
        windowSeconds: 60,
        completedJobs: 0,
        failedJobs: 0,
        simulations: 0,
        simulationsPerSecond: 0,
      },
    });
    expect(before.oldestWaitingAgeSeconds).toBeGreaterThanOrEqual(0);
    expect(before.oldestWaitingAgeSeconds).toBeLessThanOrEqual(waitedAtMost);

    const worker = await harness.startWorker(2);
    await harness.waitForSweep(created.id, (s) => s.status === 'completed');
    const after = (await harness.request('GET', '/v1/queue')).body.queues[0] as QueueStatus;
    // Finished jobs leave Redis (Postgres is the record); the events stream still counts them.
    expect(after.counts).toEqual({ waiting: 0, active: 0, delayed: 0, failed: 0, completed: 0 });
    expect(after.oldestWaitingAgeSeconds).toBeNull();
    expect(after.throughput).toEqual({
      windowSeconds: 60,
      completedJobs: 16,
      failedJobs: 0,
      simulations: 160,
      simulationsPerSecond: 160 / 60,
    });
    expect(after.workers).toHaveLength(1);
    const [connected] = after.workers;
    expect(connected).toMatchObject({ pid: worker.pid, threads: 2 });
    expect(connected?.host.length).toBeGreaterThan(0);
    // The heartbeat is written at start, so busy threads are known: an integer within the pool.
    expect(Number.isInteger(connected?.busy)).toBe(true);
    expect(connected?.busy).toBeGreaterThanOrEqual(0);
    expect(connected?.busy).toBeLessThanOrEqual(2);
    expect(Date.parse(connected?.lastSeenAt ?? '')).toBeGreaterThanOrEqual(submittedAfter - 1_000);

    await worker.stop();
    const gone = (await harness.request('GET', '/v1/queue')).body.queues[0] as QueueStatus;
    expect(gone.workers).toEqual([]);
  });

  it('GET /v1/sweeps/{id}/events streams progress in order and ends with a final event', async () => {
    const created = await harness.submit(gridSpec(2002, 300, 25)); // 4 points × 12 chunks
    let startWorker: ReturnType<Harness['startWorker']> | undefined;
    // Start the worker only once the stream is open, so the stream sees the sweep go from 0 to done.
    const events = await readEvents(
      `${harness.apiUrl}/v1/sweeps/${created.id}/events`,
      harness.authHeaders,
      () => {
        startWorker ??= harness.startWorker(2);
      },
    );
    await (await startWorker)?.stop();

    const first = events[0];
    const last = events.at(-1);
    expect(first).toMatchObject({ event: 'progress', data: { id: created.id, status: 'queued' } });
    expect(first?.data.progress).toMatchObject({ done: 0, total: 1200 });
    expect(last).toMatchObject({
      event: 'end',
      data: { id: created.id, status: 'completed', progress: { done: 1200, total: 1200 }, etaSeconds: 0 },
    });
    expect(events.filter((e) => e.event === 'end')).toHaveLength(1);
    expect(events.slice(0, -1).every((e) => e.event === 'progress')).toBe(true);
    expect(events.length).toBeGreaterThanOrEqual(3); // queued → running … → end
    const ids = events.map((e) => Number(e.id));
    expect(ids).toEqual(ids.map((_, i) => i + 1));
    const done = events.map((e) => e.data.progress.done);
    for (let i = 1; i < done.length; i++) expect(done[i]).toBeGreaterThanOrEqual(done[i - 1] as number);
    expect(new Set(done).size).toBeGreaterThanOrEqual(2);
    expect(events.some((e) => e.data.status === 'running')).toBe(true);

    // Reconnecting to an ended sweep: one final event, then the stream closes.
    const replay = await readEvents(`${harness.apiUrl}/v1/sweeps/${created.id}/events`, harness.authHeaders);
    expect(replay).toEqual([{ id: '1', event: 'end', data: last?.data }]);

    const missing = await harness.request('GET', '/v1/sweeps/00000000-0000-4000-8000-000000000000/events');
    expect(missing.status).toBe(404);
    expect(missing.body.error).toMatchObject({ code: 'not_found' });
  });

  it('GET /metrics on the API and on a worker: the named series, with values after a sweep', async () => {
    const worker = await harness.startWorker(2, { WORKER_PORT: '0' });
    const created = await harness.submit(gridSpec(2003, 30, 10)); // 4 points × 3 chunks
    await harness.waitForSweep(created.id, (s) => s.status === 'completed');

    const workerText = await scrape(workerUrl(await worker.waitForLog(/worker ready/)));
    const service = { service: 'worker' };
    expect(sample(workerText, 'frontline_simulations_total', service)).toBe(120);
    expect(sample(workerText, 'frontline_outcome_rows_written_total', service)).toBe(120);
    expect(sample(workerText, 'frontline_chunk_duration_seconds_count', service)).toBe(12);
    expect(sample(workerText, 'frontline_chunk_duration_seconds_sum', service)).toBeGreaterThan(0);
    expect(sample(workerText, 'frontline_chunk_duration_seconds_bucket', { le: '+Inf' })).toBe(12);
    expect(sample(workerText, 'frontline_worker_busy_threads', service)).toBe(0);
    expect(sample(workerText, 'nodejs_eventloop_lag_seconds', service)).toBeGreaterThanOrEqual(0);
    expect(sample(workerText, 'process_cpu_user_seconds_total', service)).toBeGreaterThan(0);

    const apiText = await scrape(harness.apiUrl);
    const chunks = { queue: 'frontline-chunks', service: 'api' };
    for (const state of ['waiting', 'active', 'delayed', 'failed', 'completed'])
      expect(sample(apiText, 'bullmq_job_count', { ...chunks, state })).toBe(0);
    // This test's 12 jobs, plus any finished by the tests before it within the minute.
    expect(sample(apiText, 'frontline_queue_completed_jobs_last_minute', chunks)).toBeGreaterThanOrEqual(12);
    expect(sample(apiText, 'frontline_queue_simulations_per_second', chunks)).toBeGreaterThanOrEqual(
      120 / 60,
    );
    expect(sample(apiText, 'frontline_queue_workers', chunks)).toBe(1);
    expect(sample(apiText, 'frontline_queue_oldest_waiting_seconds', chunks)).toBe(0);
    expect(sample(apiText, 'frontline_reconciler_requeued_total', { service: 'api' })).toBe(0);
    expect(sample(apiText, 'nodejs_eventloop_lag_seconds', { service: 'api' })).toBeGreaterThanOrEqual(0);
    await worker.stop();
  });

  it('mid-sweep, busy threads stay within the pool and running chunks equal the jobs BullMQ has active', async () => {
    await harness.stopWorkers();
    // Heartbeats every 300 ms: the queue view sees both threads busy however fast the machine runs the sweep.
    const worker = await harness.startWorker(2, { WORKER_PORT: '0', HEARTBEAT_MS: '300' });
    const metricsUrl = workerUrl(await worker.waitForLog(/worker ready/));
    // 4 points × 5 chunks of 1,000 patients at the full horizon: several heartbeats while both threads run.
    const created = await harness.submit({
      name: 'monitoring busy threads',
      design: { kind: 'grid', axes: { dose: [0, 2], immuneKill: [0.035, 0.1] } },
      cohort: { patients: 5_000, seed: 2005, chunkSize: 1_000 },
    });
    let sawBothThreadsBusy = false;
    let sawSteadyActive = false;
    let sawGaugeBusy = false;
    for (;;) {
      const activeBefore = await harness.queue.getActiveCount();
      const [queue] = (await harness.request('GET', '/v1/queue')).body.queues as QueueStatus[];
      const activeAfter = await harness.queue.getActiveCount();
      const workerText = await scrape(metricsUrl);
      const [row] = queue!.workers;
      expect(queue!.workers).toHaveLength(1);
      expect(row).toMatchObject({ pid: worker.pid, threads: 2 });
      // Before the fix: busy was a rounded long-run utilization (0/2 while chunks ran), the gauge
      // counted BullMQ jobs (4 for a 2-thread pool at concurrency 4).
      expect(row!.busy).toBeLessThanOrEqual(2);
      expect(row!.runningChunks).toBe(queue!.counts.active);
      if (activeBefore === activeAfter) {
        expect(row!.runningChunks).toBe(activeBefore);
        if (activeBefore > 0) sawSteadyActive = true;
      }
      if (row!.busy === 2) sawBothThreadsBusy = true;
      const gaugeBusy = sample(workerText, 'frontline_worker_busy_threads', { service: 'worker' });
      expect(gaugeBusy).toBeLessThanOrEqual(2);
      if (gaugeBusy === 2) sawGaugeBusy = true;
      expect(
        sample(workerText, 'frontline_worker_running_chunks', { service: 'worker' }),
      ).toBeLessThanOrEqual(4);
      const { body } = await harness.request('GET', `/v1/sweeps/${created.id}`);
      if (body.status !== 'queued' && body.status !== 'running') break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect({ sawBothThreadsBusy, sawSteadyActive, sawGaugeBusy }).toEqual({
      sawBothThreadsBusy: true,
      sawSteadyActive: true,
      sawGaugeBusy: true,
    });
    const [idle] = (await harness.request('GET', '/v1/queue')).body.queues as QueueStatus[];
    expect(idle!.workers[0]?.runningChunks).toBe(0);
    await harness.stopWorkers();
  });

  it('counts reconciler re-enqueues on the API process /metrics', async () => {
    const api = startApp('api', {
      DATABASE_URL: inject('appDatabaseUrl'),
      REDIS_URL: inject('redisUrl'),
      QUEUE_PREFIX: String(harness.queue.opts.prefix),
      API_PORT: '0',
      RECONCILE_INTERVAL_MS: '300',
    });
    try {
      const listening = await api.waitForLog(/Server listening at http:\/\/127\.0\.0\.1:\d+/);
      const apiUrl = /(http:\/\/127\.0\.0\.1:\d+)/.exec(listening)?.[1] ?? '';
      // No worker runs: the chunks stay pending. Lose one job as a Redis without its data would.
      const created = await harness.submit(gridSpec(2004, 20, 10));
      expect(await harness.queue.remove(`${created.id}.0`)).toBe(1);
      // Other files' unfinished sweeps may be re-enqueued too, so wait for this job, not any log line.
      const deadline = Date.now() + 60_000;
      while ((await harness.queue.getJobState(`${created.id}.0`)) !== 'prioritized') {
        if (Date.now() > deadline) throw new Error(`not re-enqueued:\n${api.output().slice(-2000)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const requeuedLine = await api.waitForLog(/reconciler re-enqueued missing chunks/);

      expect(JSON.parse(requeuedLine).requeued).toBeGreaterThanOrEqual(1);

      // The counter is bumped right before each log line, so reading the log, then the counter, then
      // the log again brackets it exactly.
      const loggedBefore = loggedRequeues(api.output());
      const metrics = await scrape(apiUrl);
      const loggedAfter = loggedRequeues(api.output());
      const counted = sample(metrics, 'frontline_reconciler_requeued_total', { service: 'api' });
      expect(counted).toBeGreaterThanOrEqual(Math.max(1, loggedBefore));
      expect(counted).toBeLessThanOrEqual(loggedAfter);
      const states = await Promise.all(
        Array.from({ length: 8 }, (_, i) => harness.queue.getJobState(`${created.id}.${i}`)),
      );
      expect(states).toEqual(Array(8).fill('prioritized')); // 4 points × 2 chunks, all queued again
      expect(
        sample(metrics, 'bullmq_job_count', { queue: 'frontline-chunks', state: 'waiting' }),
      ).toBeGreaterThanOrEqual(8);
      expect((await harness.request('POST', `/v1/sweeps/${created.id}/cancel`)).status).toBe(200);
    } finally {
      await api.stop();
    }
  });
});
