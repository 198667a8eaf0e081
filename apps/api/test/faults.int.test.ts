import { setTimeout as sleep } from 'node:timers/promises';
import { type ModelId, type ParamsOf, pointHashFor } from '@frontline/sim';
import { redisCommand } from '@frontline/stack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FaultServers, startFaultServers } from './support/fault-servers.js';
import { type Harness, startHarness, sweepOutcomes } from './support/harness.js';
import { deleteSweepOutcomes, expectRowsEqualTheModel, type OutcomeRows } from './support/model-outcomes.js';
import { type OutcomeCensus, outcomeCensus } from './support/outcome-census.js';
import { expectProgressEqualsChunks, expectTalliesEqualRawRows } from './support/tally-census.js';

// Every fault here crashes or stops a server: they run on a Postgres and a Redis of their own.
// The reconciler runs in the harness's in-process API exactly as apps/api/src/main.ts runs it
// (startReconciler), every second instead of every 15.
const reconcileIntervalMs = 1_000;
const workerEnv = { SHUTDOWN_GRACE_MS: '5000' };

function sweepSpec(
  name: string,
  seed: number,
  axes: Record<string, number[]>,
  patients: number,
  chunkSize: number,
) {
  return {
    name,
    design: { kind: 'grid', axes },
    cohort: { patients, seed, chunkSize },
    params: { horizonDays: 180 },
  };
}
type Spec = ReturnType<typeof sweepSpec>;

const grid = { dose: [0, 2], immuneKill: [0.035, 0.1] };
/** Outage sweeps have 80 chunks; faulting once 5 are done leaves most of them to run through it. */
const midSweep = 100;
/** Healthy sweeps: each runs once undisturbed (the reference) and once through a fault. */
const healthy = {
  redisKilled: sweepSpec('fault: redis killed', 8101, grid, 400, 20),
  redisEmptied: sweepSpec('fault: redis emptied', 8102, grid, 400, 20),
  postgresStopped: sweepSpec('fault: postgres stopped', 8103, grid, 400, 20),
  postgresKilled: sweepSpec('fault: postgres killed', 8108, grid, 400, 20),
  redisFull: sweepSpec('fault: redis refusing writes', 8109, { dose: [0, 2], immuneKill: [0.035] }, 100, 25),
  bystander: sweepSpec(
    'fault: bystander of failing sweeps',
    8104,
    { dose: [0, 2], immuneKill: [0.1] },
    200,
    25,
  ),
  afterFailures: sweepSpec('fault: after failing sweeps', 8105, { dose: [2], immuneKill: [0.1] }, 40, 20),
};
// Points of their own (a point's hash depends on its parameters only), so no healthy sweep shares them.
const poisoned = sweepSpec('fault: poison point', 8106, { dose: [1], immuneKill: [0.035, 0.05] }, 40, 20);
const hung = sweepSpec('fault: hung simulation', 8107, { dose: [3], immuneKill: [0.05] }, 20, 20);

interface Sweep {
  id: string;
  status: string;
  failureReason: string | null;
  progress: { done: number; total: number; failed: number; reused: number };
}

/** The API answers a test saw, by endpoint and status: the fault table's 5xx columns. */
class ApiTraffic {
  private readonly seen = new Map<string, number>();

  constructor(private readonly harness: Harness) {}

  async request(endpoint: string, method: string, path: string, body?: unknown, signal?: AbortSignal) {
    const response = await this.harness.request(method, path, body, { signal });
    const key = `${endpoint} ${response.status}`;
    this.seen.set(key, (this.seen.get(key) ?? 0) + 1);
    return response;
  }

  async submit(spec: unknown) {
    const { status, body } = await this.request('submit', 'POST', '/v1/sweeps', spec);
    if (status !== 202) throw new Error(`submit failed: ${status} ${JSON.stringify(body)}`);
    return body as { id: string; status: string; simulations: number; reused: number };
  }

  async waitForSweep(id: string, until: (sweep: Sweep) => boolean, timeoutMs = 150_000): Promise<Sweep> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { status, body } = await this.request('GET sweep', 'GET', `/v1/sweeps/${id}`);
      if (status === 200 && until(body)) return body;
      if (Date.now() > deadline) throw new Error(`sweep ${id} stuck: ${status} ${JSON.stringify(body)}`);
      await sleep(100);
    }
  }

  /** e.g. "readyz 503 ×1, submit 503 ×1" for every answer whose status passes `which`. */
  summary(which: (status: number) => boolean): string {
    const parts = [...this.seen]
      .filter(([key]) => which(Number(key.split(' ').at(-1))))
      .map(([key, n]) => `${key} ×${n}`);
    return parts.length > 0 ? parts.join(', ') : '0';
  }

  count(which: (status: number) => boolean): number {
    return [...this.seen].reduce((sum, [key, n]) => sum + (which(Number(key.split(' ').at(-1))) ? n : 0), 0);
  }
}

/** Poll an observable state until it satisfies `done`. */
async function waitFor<T>(
  what: string,
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 60_000,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await sleep(100);
  }
}

const zeroCensus = (census: OutcomeCensus) => ({ ...census, lost: 0, duplicated: 0, unexpected: 0 });

/** Every stored row equals the model's own output for its (point, patient), and the grid is covered exactly once. */
async function expectExactlyTheModelOutcomes(harness: Harness, sweepId: string): Promise<OutcomeRows> {
  const census = await outcomeCensus(harness.pool, sweepId);
  expect(census).toEqual(zeroCensus(census));
  expect(census.stored).toBe(census.expected);
  return expectRowsEqualTheModel(harness, sweepId);
}

/**
 * After a failed test: cancel what it left running. The reconciler of the next test's harness (a
 * new queue prefix, the same database) would otherwise enqueue those chunks into its own queue.
 */
async function cancelUnfinishedSweeps(harness: Harness | undefined) {
  if (!harness) return;
  const { rows } = await harness.pool.query<{ id: string }>(
    `select id from sweeps where status in ('queued', 'running')`,
  );
  for (const { id } of rows) await harness.request('POST', `/v1/sweeps/${id}/cancel`).catch(() => {});
}

async function pendingChunks(harness: Harness, sweepId: string): Promise<number> {
  const { rows } = await harness.pool.query<{ n: number }>(
    `select count(*)::int as n from chunks where sweep_id = $1 and status = 'pending'`,
    [sweepId],
  );
  return rows[0]!.n;
}

async function requeuedByReconciler(harness: Harness): Promise<number> {
  return (await harness.app.metrics.reconcilerRequeued.get()).values.reduce((sum, v) => sum + v.value, 0);
}

async function pointHash(harness: Harness, sweepId: string, pointIndex: number): Promise<string> {
  const { rows } = await harness.pool.query<{ hash: string }>(
    `select p.hash from sweep_points sp join points p on p.id = sp.point_id
     where sp.sweep_id = $1 and sp.point_index = $2`,
    [sweepId, pointIndex],
  );
  return rows[0]!.hash;
}

/** The point's model hash (of its parameters alone): what the faulty worker's task can see. */
async function modelHash(harness: Harness, sweepId: string, pointIndex: number): Promise<string> {
  const { rows } = await harness.pool.query<{ modelId: ModelId; params: ParamsOf<ModelId> }>(
    `select p.model_id as "modelId", p.params from sweep_points sp join points p on p.id = sp.point_id
     where sp.sweep_id = $1 and sp.point_index = $2`,
    [sweepId, pointIndex],
  );
  return pointHashFor(rows[0]!.modelId, rows[0]!.params);
}

const simulationsOf = (spec: Spec) =>
  Object.values(spec.design.axes).reduce((n, values) => n * values.length, 1) * spec.cohort.patients;

interface FaultRow {
  fault: string;
  result: string;
  census: OutcomeCensus;
  unavailable: string;
  other5xx: string;
  requeued: number;
  failedJobs: number;
}
const faultTable: FaultRow[] = [];

/** A row for a run watched through `traffic`: its 503s and other 5xx, and the jobs BullMQ failed. */
async function faultRow(
  harness: Harness,
  traffic: ApiTraffic,
  row: Pick<FaultRow, 'fault' | 'result' | 'census' | 'requeued'>,
): Promise<FaultRow> {
  return {
    ...row,
    unavailable: traffic.summary((s) => s === 503),
    other5xx: traffic.summary((s) => s >= 500 && s !== 503),
    failedJobs: (await harness.queue.getJobCounts('failed')).failed ?? 0,
  };
}

function printFaultTable() {
  const header =
    '| fault | result | expected | stored | lost | duplicated | unexpected | 503 (during outage) | other 5xx | reconciler re-enqueued | failed jobs |';
  const lines = faultTable.map(
    (r) =>
      `| ${r.fault} | ${r.result} | ${r.census.expected} | ${r.census.stored} | ${r.census.lost} | ${r.census.duplicated} | ${r.census.unexpected} | ${r.unavailable} | ${r.other5xx} | ${r.requeued} | ${r.failedJobs} |`,
  );
  console.log(['fault table', header, `|${' --- |'.repeat(11)}`, ...lines].join('\n'));
}

let servers: FaultServers;
/** Rows of each healthy sweep from its undisturbed run, which a faulted run must reproduce exactly. */
const undisturbed = new Map<string, OutcomeRows>();

// One tenant for the file: outcomes are stored per tenant, and faulted runs are compared row for
// row (point ids included) with the undisturbed runs.
const faultTenant = `faults-${Date.now()}`;
const harnessOnFaultServers = () =>
  startHarness({
    databaseUrl: servers.postgres.url,
    redisUrl: servers.redis.url,
    reconcileIntervalMs,
    tenantId: faultTenant,
  });

beforeAll(async () => {
  servers = await startFaultServers();
  const harness = await harnessOnFaultServers();
  try {
    await harness.startWorker(2, workerEnv);
    for (const spec of Object.values(healthy)) {
      const created = await harness.submit(spec);
      await harness.waitForSweep(created.id, (s) => s.status === 'completed');
      undisturbed.set(spec.name, await expectExactlyTheModelOutcomes(harness, created.id));
      // The faulted run must simulate every patient again, not reuse these rows.
      await deleteSweepOutcomes(harness, created.id);
    }
  } finally {
    await harness.stop();
  }
}, 240_000);

afterAll(async () => {
  if (faultTable.length > 0) printFaultTable();
  await servers?.stop();
});

/** The faulted run stored each (point, patient) once, with the undisturbed run's values. */
async function expectUndisturbedOutcomes(harness: Harness, sweepId: string, spec: Spec) {
  const census = await outcomeCensus(harness.pool, sweepId);
  expect(census).toEqual({
    expected: simulationsOf(spec),
    stored: simulationsOf(spec),
    lost: 0,
    duplicated: 0,
    unexpected: 0,
  });
  expect(await sweepOutcomes(harness, sweepId)).toEqual(undisturbed.get(spec.name));
  // The sweep's tables count every stored row once, whatever the fault re-ran.
  await expectTalliesEqualRawRows(harness, sweepId);
  return census;
}

describe('Redis killed (kill -9) mid-sweep, restarted after a few seconds', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await harnessOnFaultServers();
  });
  afterAll(async () => {
    await servers.ensureRunning();
    await cancelUnfinishedSweeps(harness);
    await harness?.stop();
  });

  it('workers resume on their own, the API answers 503 at once meanwhile, every outcome is stored once', async () => {
    const spec = healthy.redisKilled;
    const traffic = new ApiTraffic(harness);
    const workers = await Promise.all([harness.startWorker(1, workerEnv), harness.startWorker(1, workerEnv)]);
    const created = await traffic.submit(spec);
    expect(created.reused).toBe(0);
    await traffic.waitForSweep(created.id, (s) => s.progress.done >= midSweep);

    await servers.redis.kill9();
    const downSince = Date.now();
    // Mid-sweep: more chunks left than the two in flight can finish without Redis.
    expect(await pendingChunks(harness, created.id)).toBeGreaterThan(2);
    const ready = await traffic.request('readyz', 'GET', '/readyz', undefined, AbortSignal.timeout(1_000));
    expect(ready).toEqual({
      status: 503,
      body: { status: 'unavailable', checks: { postgres: 'ok', redis: 'down' } },
    });
    const refusedSpec = { ...healthy.afterFailures, name: 'fault: submitted while redis is down' };
    const refused = await traffic.request(
      'submit',
      'POST',
      '/v1/sweeps',
      refusedSpec,
      AbortSignal.timeout(1_000),
    );
    expect(refused.status).toBe(503);
    expect(refused.body.error.code).toBe('unavailable');
    const { rows: refusedRows } = await harness.pool.query('select id from sweeps where name = $1', [
      refusedSpec.name,
    ]);
    expect(refusedRows).toEqual([]);
    const progress = await traffic.request('GET sweep', 'GET', `/v1/sweeps/${created.id}`, undefined);
    expect(progress.status).toBe(200); // Postgres answers progress on its own
    await sleep(Math.max(0, 4_000 - (Date.now() - downSince))); // the outage itself

    await servers.redis.restart();
    const { rows: clock } = await harness.pool.query<{ now: Date }>('select clock_timestamp() as now');
    const restartedAt = clock[0]!.now;
    const done = await traffic.waitForSweep(created.id, (s) => s.status === 'completed');
    expect(done.progress).toEqual({
      done: simulationsOf(spec),
      total: simulationsOf(spec),
      failed: 0,
      reused: 0,
    });
    const census = await expectUndisturbedOutcomes(harness, created.id, spec);

    // The same worker processes, never restarted, ran chunks after Redis came back.
    expect(workers.map((w) => w.child.exitCode)).toEqual([null, null]);
    const { rows: laterHosts } = await harness.pool.query<{ worker_host: string }>(
      'select distinct worker_host from chunks where sweep_id = $1 and finished_at > $2',
      [created.id, restartedAt],
    );
    expect(laterHosts.length).toBeGreaterThan(0);
    const pids = workers.map((w) => String(w.pid));
    for (const { worker_host } of laterHosts) expect(pids).toContain(worker_host.split(':').at(-1));

    faultTable.push(
      await faultRow(harness, traffic, {
        fault: 'Redis kill -9 for 4 s mid-sweep (2 workers × 1 thread)',
        result: done.status,
        census,
        requeued: await requeuedByReconciler(harness),
      }),
    );
    expect(traffic.count((s) => s >= 500 && s !== 503)).toBe(0);
  });
});

describe('Redis restarted empty (data lost) mid-sweep', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await harnessOnFaultServers();
  });
  afterAll(async () => {
    await servers.ensureRunning();
    await cancelUnfinishedSweeps(harness);
    await harness?.stop();
  });

  it('the reconciler re-enqueues the lost chunks and the sweep completes with every outcome once', async () => {
    const spec = healthy.redisEmptied;
    const traffic = new ApiTraffic(harness);
    await Promise.all([harness.startWorker(1, workerEnv), harness.startWorker(1, workerEnv)]);
    const created = await traffic.submit(spec);
    expect(created.reused).toBe(0);
    await traffic.waitForSweep(created.id, (s) => s.progress.done >= midSweep);
    const requeuedBefore = await requeuedByReconciler(harness);

    await servers.loseRedisData();
    // Every pending chunk's job is gone; only those in flight can finish without the reconciler:
    // 2 workers × 1 thread × 2 chunks each (the one running and the one queued behind it).
    const inFlight = 2 * 1 * 2;
    const lost = await pendingChunks(harness, created.id);
    expect(lost).toBeGreaterThan(inFlight);
    await servers.redis.restart();

    const done = await traffic.waitForSweep(created.id, (s) => s.status === 'completed');
    expect(done.progress).toEqual({
      done: simulationsOf(spec),
      total: simulationsOf(spec),
      failed: 0,
      reused: 0,
    });
    const census = await expectUndisturbedOutcomes(harness, created.id, spec);
    const requeued = (await requeuedByReconciler(harness)) - requeuedBefore;
    expect(requeued).toBeGreaterThanOrEqual(lost - inFlight);

    faultTable.push(
      await faultRow(harness, traffic, {
        fault: 'Redis kill -9 and restart with its data deleted (2 workers × 1 thread)',
        result: done.status,
        census,
        requeued,
      }),
    );
    expect(traffic.count((s) => s >= 500)).toBe(0);
  });
});

describe('Postgres down for 10 s mid-sweep', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await harnessOnFaultServers();
  });
  afterAll(async () => {
    await servers.ensureRunning();
    await cancelUnfinishedSweeps(harness);
    await harness?.stop();
  });

  it.each([
    {
      how: 'stopped (fast shutdown: clients told 57P01)',
      spec: healthy.postgresStopped,
      bringDown: () => servers.postgres.stop(),
    },
    {
      how: 'killed (kill -9: connections reset, crash recovery on restart)',
      spec: healthy.postgresKilled,
      bringDown: () => servers.postgres.kill9(),
    },
  ])(
    '$how: chunk writes wait it out, no attempt fails, nothing lost or duplicated',
    async ({ how, spec, bringDown }) => {
      const traffic = new ApiTraffic(harness);
      const requeuedBefore = await requeuedByReconciler(harness);
      const worker = await harness.startWorker(2, workerEnv);
      const created = await traffic.submit(spec);
      expect(created.reused).toBe(0);
      await traffic.waitForSweep(created.id, (s) => s.progress.done >= midSweep);

      await bringDown();
      const downSince = Date.now();
      const ready = await traffic.request('readyz', 'GET', '/readyz', undefined, AbortSignal.timeout(1_000));
      expect(ready).toEqual({
        status: 503,
        body: { status: 'unavailable', checks: { postgres: 'down', redis: 'ok' } },
      });
      // Reads need Postgres: a 503 at once, not a hang and not a 500.
      const progress = await traffic.request(
        'GET sweep',
        'GET',
        `/v1/sweeps/${created.id}`,
        undefined,
        AbortSignal.timeout(1_000),
      );
      expect(progress).toMatchObject({ status: 503, body: { error: { code: 'unavailable' } } });
      await sleep(Math.max(0, 10_000 - (Date.now() - downSince))); // the outage itself

      await servers.postgres.restart();
      expect(await pendingChunks(harness, created.id)).toBeGreaterThan(0);
      // The outage did not take the worker down.
      expect(worker.child.exitCode, worker.output().slice(-3000)).toBe(null);
      const done = await traffic.waitForSweep(created.id, (s) => s.status === 'completed');
      expect(done.progress).toEqual({
        done: simulationsOf(spec),
        total: simulationsOf(spec),
        failed: 0,
        reused: 0,
      });
      const census = await expectUndisturbedOutcomes(harness, created.id, spec);

      // The outage reached the chunks' database calls, which retried instead of failing the attempt.
      expect(await worker.stop()).toBe(0);
      const log = worker.output();
      expect(log).toMatch(/postgres unreachable; retrying/);
      expect(log).not.toMatch(/"msg":"chunk failed"/);
      const failedJobs = (await harness.queue.getJobCounts('failed')).failed ?? 0;
      expect(failedJobs).toBe(0);

      faultTable.push(
        await faultRow(harness, traffic, {
          fault: `Postgres ${how.split(' (')[0]} for 10 s mid-sweep (1 worker × 2 threads)`,
          result: done.status,
          census,
          requeued: (await requeuedByReconciler(harness)) - requeuedBefore,
        }),
      );
      expect(traffic.count((s) => s >= 500 && s !== 503)).toBe(0);
    },
  );
});

describe('Redis refusing writes (maxmemory reached, noeviction) when a sweep is submitted', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await harnessOnFaultServers();
  });
  afterAll(async () => {
    await redisCommand(servers.redis.url, ['CONFIG', 'SET', 'maxmemory', '0']).catch(() => {});
    await cancelUnfinishedSweeps(harness);
    await harness?.stop();
  });

  it('the committed sweep is accepted with a warning, and the reconciler enqueues it once Redis takes writes', async () => {
    const spec = healthy.redisFull;
    const traffic = new ApiTraffic(harness);
    await redisCommand(servers.redis.url, ['CONFIG', 'SET', 'maxmemory', '1']);
    const { status, body } = await traffic.request(
      'submit',
      'POST',
      '/v1/sweeps',
      spec,
      AbortSignal.timeout(2_000),
    );
    expect(status).toBe(202);
    expect(body).toMatchObject({ status: 'queued', simulations: simulationsOf(spec), reused: 0 });
    expect(body.warnings).toEqual([
      expect.stringMatching(
        /^the queue \(Redis\) refused the chunks \(.*OOM.*\); the reconciler enqueues them/,
      ),
    ]);
    expect(await harness.queue.getJobCounts('prioritized', 'waiting')).toEqual({
      prioritized: 0,
      waiting: 0,
    });

    await redisCommand(servers.redis.url, ['CONFIG', 'SET', 'maxmemory', '0']);
    await harness.startWorker(2, workerEnv);
    const done = await traffic.waitForSweep(body.id, (s) => s.status === 'completed');
    const census = await expectUndisturbedOutcomes(harness, body.id, spec);
    const requeued = await requeuedByReconciler(harness);
    // Every chunk; one more only if a job finished between a pass's two reads (harmless: a re-run is skipped).
    expect(requeued).toBeGreaterThanOrEqual(simulationsOf(spec) / spec.cohort.chunkSize);

    faultTable.push(
      await faultRow(harness, traffic, {
        fault: 'Redis refuses writes (maxmemory 1 B, noeviction) during submit',
        result: `202 with warning, then ${done.status}`,
        census,
        requeued,
      }),
    );
    expect(traffic.count((s) => s >= 500)).toBe(0);
  });
});

describe('a poison point and a hung simulation', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await harnessOnFaultServers();
  });
  afterAll(async () => {
    await cancelUnfinishedSweeps(harness);
    await harness?.stop();
  });

  /** The chunk a failed sweep's reason names, with its row and its BullMQ job once that has failed. */
  async function failedChunk(sweep: Sweep) {
    const index = Number(/^chunk (\d+) /.exec(sweep.failureReason ?? '')?.[1]);
    const { rows } = await harness.pool.query<{
      status: string;
      error: string;
      hash: string;
      patient_start: number;
      patient_end: number;
    }>(
      // The point whose work the chunk starts in (these sweeps' chunks hold one point each).
      `select c.status, c.error, p.hash, (c.work_start - sp.work_start)::int as patient_start,
              (c.work_end - sp.work_start)::int as patient_end
       from chunks c
       join sweep_points sp on sp.sweep_id = c.sweep_id and sp.work_start <= c.work_start
                           and c.work_start < sp.work_start + sp.work_patients
       join points p on p.id = sp.point_id
       where c.sweep_id = $1 and c.chunk_index = $2`,
      [sweep.id, index],
    );
    const job = await waitFor(
      `job ${sweep.id}.${index} to fail`,
      async () => {
        const found = await harness.queue.getJob(`${sweep.id}.${index}`);
        return { state: found ? await found.getState() : 'missing', job: found };
      },
      (j) => j.state === 'failed',
    );
    return { index, row: rows[0]!, job: job.job! };
  }

  it('each fails its own sweep after 3 attempts with the reason; a sweep alongside completes exactly', async () => {
    const traffic = new ApiTraffic(harness);
    // Submitted before any worker runs, so the worker can be told the points' hashes.
    const poisonSweep = await traffic.submit(poisoned);
    const hungSweep = await traffic.submit(hung);
    const bystander = await traffic.submit(healthy.bystander);
    const poisonHash = await pointHash(harness, poisonSweep.id, 0);
    const hangHash = await pointHash(harness, hungSweep.id, 0);
    await harness.startWorker(
      2,
      { ...workerEnv, CHUNK_TIMEOUT_MS: '5000' },
      {
        throwAtPoint: (await modelHash(harness, poisonSweep.id, 0)).slice(0, 12),
        hangAtPoint: (await modelHash(harness, hungSweep.id, 0)).slice(0, 12),
      },
    );
    const ended = (s: Sweep) => s.status !== 'queued' && s.status !== 'running';

    const poisonEnd = await traffic.waitForSweep(poisonSweep.id, ended);
    expect(poisonEnd.status).toBe('failed');
    const poison = await failedChunk(poisonEnd);
    const thrown = 'injected fault: the model threw at this point';
    expect(poisonEnd.failureReason).toBe(
      `chunk ${poison.index} (point ${poisonHash.slice(0, 12)}, patients ${poison.row.patient_start}–${poison.row.patient_end - 1}) failed: ${thrown}`,
    );
    expect(poison.row).toMatchObject({ status: 'failed', error: thrown, hash: poisonHash });
    expect(poison.job.attemptsMade).toBe(3);
    expect(poison.job.failedReason).toBe(thrown);

    const hungEnd = await traffic.waitForSweep(hungSweep.id, ended);
    expect(hungEnd.status).toBe('failed');
    const hang = await failedChunk(hungEnd);
    const timedOut = 'simulation exceeded the chunk time limit (CHUNK_TIMEOUT_MS=5000)';
    expect(hungEnd.failureReason).toBe(
      `chunk 0 (point ${hangHash.slice(0, 12)}, patients 0–19) failed: ${timedOut}`,
    );
    expect(hang.row).toMatchObject({ status: 'failed', error: timedOut, hash: hangHash });
    expect(hang.job.attemptsMade).toBe(3);
    expect(hang.job.failedReason).toBe(timedOut);
    // Each failed sweep's progress counts its failed chunk's work, once, as its chunks say.
    for (const [sweepId, end] of [
      [poisonSweep.id, poisonEnd],
      [hungSweep.id, hungEnd],
    ] as const) {
      expect(end.progress.failed).toBeGreaterThan(0);
      await expectProgressEqualsChunks(harness, sweepId);
    }

    const bystanderEnd = await traffic.waitForSweep(bystander.id, (s) => s.status === 'completed');
    expect(bystanderEnd.progress).toMatchObject({ done: 400, total: 400, failed: 0 });
    const census = await expectUndisturbedOutcomes(harness, bystander.id, healthy.bystander);

    // Three hung attempts on a two-thread pool: only terminating each hung thread leaves threads to run this.
    const after = await traffic.submit(healthy.afterFailures);
    await traffic.waitForSweep(after.id, (s) => s.status === 'completed');
    await expectUndisturbedOutcomes(harness, after.id, healthy.afterFailures);

    faultTable.push(
      await faultRow(harness, traffic, {
        fault: 'poison point (model throws), 3 attempts',
        result: `${poisonEnd.status}: ${poisonEnd.failureReason}`,
        census: await outcomeCensus(harness.pool, poisonSweep.id),
        requeued: await requeuedByReconciler(harness),
      }),
      {
        fault: 'hung simulation (busy loop), CHUNK_TIMEOUT_MS=5000, 3 attempts',
        result: `${hungEnd.status}: ${hungEnd.failureReason}`,
        census: await outcomeCensus(harness.pool, hungSweep.id),
        unavailable: '—',
        other5xx: '—',
        requeued: 0,
        failedJobs: 0,
      },
      {
        fault: 'bystander sweep submitted alongside the two',
        result: bystanderEnd.status,
        census,
        unavailable: '—',
        other5xx: '—',
        requeued: 0,
        failedJobs: 0,
      },
    );
    expect(traffic.count((s) => s >= 500)).toBe(0);
  });
});
