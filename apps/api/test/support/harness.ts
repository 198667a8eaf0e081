import './vitest-context.js';
import { randomBytes } from 'node:crypto';
import type { SweepLimits } from '@frontline/contracts';
import { type ApiKeyRole, assertUnprivilegedLogin, connectDatabase, createApiKey } from '@frontline/db';
import { chunkQueueName, redisConnection } from '@frontline/queue';
import { dashboardDir, grantAppLogin, testAppPassword } from '@frontline/stack';
import { faultyWorker, type WorkerFaults } from '@frontline/worker/test-faults';
import { Queue } from 'bullmq';
import { inject } from 'vitest';
import { type App, type AppDeps, buildApp } from '../../src/app.js';
import { startReconciler } from '../../src/reconciler.js';
import { type AppProcess, startApp } from './processes.js';

export interface HarnessOptions {
  limits?: SweepLimits;
  /** Servers other than the test stack's: fault tests start their own, to kill them (owner's URL, migrated). */
  databaseUrl?: string;
  redisUrl?: string;
  /** Run the reconciler as apps/api/src/main.ts does, every this many ms (default: not at all). */
  reconcileIntervalMs?: number;
  /** Tenant of the harness's API key (default: a fresh one per harness). */
  tenantId?: string;
  rateLimitPerMinute?: number;
  maxActiveSweeps?: number;
  /** The operator setting SHARE_OUTCOMES_ACROSS_TENANTS (default off). */
  shareOutcomesAcrossTenants?: boolean;
  /** Heavy-read settings (e.g. a small maxPointsPerPage, to page through points). */
  capacity?: AppDeps['capacity'];
}

/**
 * An in-process API on real Postgres and Redis (the test stack's unless given), with its own BullMQ
 * prefix (queues isolated per test file, no flushing of Redis), plus real worker processes on demand.
 */
export async function startHarness(options: HarnessOptions = {}) {
  const databaseUrl = options.databaseUrl ?? inject('databaseUrl');
  // The API and workers log in as the app role, as in production; the same password on every call.
  const appDatabaseUrl = options.databaseUrl
    ? await grantAppLogin(options.databaseUrl, testAppPassword(options.databaseUrl))
    : inject('appDatabaseUrl');
  const redisUrl = options.redisUrl ?? inject('redisUrl');
  const queuePrefix = `t${randomBytes(4).toString('hex')}`;
  // `database` is the owner's view, for assertions; the API logs in as the non-owner app role.
  const database = connectDatabase(databaseUrl);
  const appDatabase = connectDatabase(appDatabaseUrl, { application: 'frontline-api' });
  await assertUnprivilegedLogin(appDatabase.pool);
  const tenantId = options.tenantId ?? `tenant-${randomBytes(4).toString('hex')}`;
  const createKey = async (role: ApiKeyRole, tenant = tenantId) =>
    (await createApiKey(database.pool, { tenantId: tenant, role, name: `test ${role} key` })).token;
  // Like the local stack's first key, the harness's key is an operator's (queues, every tenant).
  const apiKey = await createKey('operator');
  const redis = redisConnection(redisUrl, 'producer');
  await new Promise<void>((resolve) =>
    redis.status === 'ready' ? resolve() : redis.once('ready', () => resolve()),
  );
  const queue = new Queue(chunkQueueName, { connection: redis, prefix: queuePrefix });
  queue.on('error', () => {}); // Redis outages are expected in fault tests; requests report them.
  const app: App = await buildApp({
    pool: appDatabase.pool,
    queue,
    redis,
    logger: false,
    limits: options.limits,
    rateLimitPerMinute: options.rateLimitPerMinute ?? 100_000,
    maxActiveSweeps: options.maxActiveSweeps,
    shareOutcomesAcrossTenants: options.shareOutcomesAcrossTenants,
    capacity: options.capacity,
    dashboardDir,
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const apiUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const workers: AppProcess[] = [];
  const reconciler =
    options.reconcileIntervalMs === undefined
      ? undefined
      : startReconciler({
          reconcile: () => app.sweeps.reconcile(),
          requeued: app.metrics.reconcilerRequeued,
          logger: app.log,
          intervalMs: options.reconcileIntervalMs,
        });

  /** A request with the harness's admin key, unless `init.key` names another (null: none). */
  async function request(
    method: string,
    path: string,
    body?: unknown,
    init: { signal?: AbortSignal; key?: string | null } = {},
  ) {
    const key = init.key === undefined ? apiKey : init.key;
    const response = await fetch(`${apiUrl}${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(key ? { authorization: `Bearer ${key}` } : {}),
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      signal: init.signal,
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  }

  return {
    apiUrl,
    app,
    apiKey,
    /** Headers that authenticate as the harness's admin key, for raw fetches (streams). */
    authHeaders: { authorization: `Bearer ${apiKey}` },
    tenantId,
    createKey,
    pool: database.pool,
    /** The pool the in-process API serves from (logged in as the app role). */
    appPool: appDatabase.pool,
    queue,
    queuePrefix,
    request,
    /** A real worker process; with `faults`, the test-only faulty worker (apps/worker/test/support/faults.ts). */
    async startWorker(threads: number, env: Record<string, string> = {}, faults?: WorkerFaults) {
      const faulty = faults ? faultyWorker(faults) : undefined;
      const worker = startApp(
        'worker',
        {
          DATABASE_URL: appDatabaseUrl,
          REDIS_URL: redisUrl,
          QUEUE_PREFIX: queuePrefix,
          WORKER_THREADS: String(threads),
          WORKER_PORT: '-1',
          JOB_LOCK_MS: '4000',
          ...env,
          ...faulty?.env,
        },
        faulty?.nodeArgs,
      );
      workers.push(worker);
      await worker.waitForLog(/worker ready/);
      return worker;
    },
    async submit(spec: unknown) {
      const { status, body } = await request('POST', '/v1/sweeps', spec);
      if (status !== 202) throw new Error(`submit failed: ${status} ${JSON.stringify(body)}`);
      // The window's jobs past the first are queued just after the reply: wait for them too.
      await app.sweeps.settled();
      return body as { id: string; status: string; points: number; simulations: number; reused: number };
    },
    /** Poll the sweep (with the harness's key, or `key`: another tenant's) until `until` holds. */
    async waitForSweep(
      id: string,
      until: (s: { status: string; progress: { done: number } }) => boolean,
      timeoutMs = 150_000,
      key?: string,
    ) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const { status, body } = await request('GET', `/v1/sweeps/${id}`, undefined, { key });
        if (status === 200 && until(body)) return body;
        if (Date.now() > deadline) throw new Error(`sweep ${id} stuck: ${JSON.stringify(body)}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    },
    /** Stop (SIGTERM) every worker started so far, so the next test starts from none. */
    async stopWorkers() {
      await Promise.all(workers.splice(0).map((w) => w.stop()));
    },
    async stop() {
      await reconciler?.stop();
      await Promise.all(workers.map((w) => w.stop()));
      await app.close();
      await queue.obliterate({ force: true }).catch(() => {});
      await queue.close();
      redis.disconnect();
      await appDatabase.close();
      await database.close();
    },
  };
}
export type Harness = Awaited<ReturnType<typeof startHarness>>;

/** Every stored outcome of a sweep, keyed `pointIndex:patientIndex`, with its full row (and os_days: the recorded time of os_step). */
export async function sweepOutcomes(harness: Harness, sweepId: string) {
  const { rows } = await harness.pool.query(
    `select sp.point_index, p.model_id, p.params, o.*,
            o.os_step * (p.params->>'stepDays')::float8 as os_days
     from sweep_points sp join points p on p.id = sp.point_id
     join sweeps s on s.id = sp.sweep_id
     join outcomes o on o.point_id = sp.point_id and o.cohort_seed = s.cohort_seed and o.patient_index < s.patients
     where sp.sweep_id = $1 order by sp.point_index, o.patient_index`,
    [sweepId],
  );
  return rows as ({ point_index: number; model_id: string; params: unknown; patient_index: number } & Record<
    string,
    unknown
  >)[];
}
