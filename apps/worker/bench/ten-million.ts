/**
 * A 10⁷-simulation `summary` sweep end to end (issue 13's test list: too long for CI, so a benchmark):
 * a 10 × 10 grid of doses × immune kill rates, 10⁵ patients a point, with a cheap parameter set (90-day
 * follow-up on a 1-day step, diagnosis reached ~80 days after the start) so it runs in minutes on 2 cores.
 * Throwaway Postgres + Redis, the API and one worker process (WORKER_THREADS, default all cores) as the
 * stack runs them. Reports the wall time and rate against one core's kernel on the same point, the Redis
 * memory the queued sweep held at most, and the Postgres bytes it left; then checks through the API
 * that every simulation was counted once: per endpoint, the survival groups' patients sum to 10⁷, and
 * so do the `points` rows.
 *
 *   pnpm --filter @frontline/worker bench:ten-million      (BENCH_PATIENTS=10000: a 10⁶ run; BENCH_CHUNK=2000)
 */
import { availableParallelism, cpus, loadavg } from 'node:os';
import { expandSweep, parseSweepSpec, survivalEndpoints } from '@frontline/contracts';
import { connectDatabase, createApiKey, migrate } from '@frontline/db';
import { simulateCohort } from '@frontline/sim';
import {
  apiEntry,
  findFreePort,
  grantAppLogin,
  type ManagedProcess,
  newPassword,
  processTreeCpuSeconds,
  randomHighPort,
  redisCommand,
  startThrowawayServers,
} from '@frontline/stack';
import {
  requireWorkerFlags,
  startReadyApp,
  startReadyWorker,
  stoppedOnSignal,
  sweepRunner,
} from './bench-apps.js';

// One core's kernel rate is timed in this process: with the workers' flags, as they run.
requireWorkerFlags('bench/ten-million.ts');

const patients = Number(process.env.BENCH_PATIENTS ?? 100_000);
const threads = Number(process.env.BENCH_THREADS ?? availableParallelism());
/** Simulations per chunk; unset: the API's default for a sweep of this size (5,000 at 10⁷). */
const chunkSize = process.env.BENCH_CHUNK === undefined ? undefined : Number(process.env.BENCH_CHUNK);
const log = (line: string) => console.log(`[bench] ${line}`);

/** Cheap per patient (~10× fewer steps than the defaults), still the v1 model end to end. */
const cheapParams = { horizonDays: 90, stepDays: 1, startCells: 1e9 };
const spec = {
  name: 'ten million (summary)',
  params: cheapParams,
  design: {
    kind: 'grid',
    axes: {
      dose: [0, 0.5, 1, 1.5, 2, 3, 4, 5, 7, 10],
      immuneKill: [0.005, 0.01, 0.02, 0.03, 0.035, 0.05, 0.07, 0.1, 0.15, 0.2],
    },
  },
  cohort: { patients, seed: 13, chunkSize },
  outcomes: 'summary',
};

/** One core's kernel rate on the design's middle point, for `seconds`. */
function kernelRate(seconds: number): number {
  const parsed = parseSweepSpec(spec);
  if (!parsed.ok) throw parsed.error;
  const { points, modelId } = expandSweep(parsed.spec);
  const params = points[Math.floor(points.length / 2)]!.params;
  let simulated = 0;
  const start = performance.now();
  while (performance.now() - start < seconds * 1000) {
    simulateCohort(modelId, params, 7, simulated, 200);
    simulated += 200;
  }
  return simulated / ((performance.now() - start) / 1000);
}

const servers = await startThrowawayServers(log);
const apps: ManagedProcess[] = [];
const stop = stoppedOnSignal(async () => {
  for (const app of apps.reverse()) await app.stop('SIGTERM', 30_000);
  await servers.stop();
});
try {
  await migrate(servers.postgres.url);
  const owner = connectDatabase(servers.postgres.url, { max: 1 });
  const { token } = await createApiKey(owner.pool, {
    tenantId: 'bench',
    role: 'submit',
    name: 'ten-million',
  });
  const auth = { authorization: `Bearer ${token}` };
  const apiPort = await findFreePort({ preferred: randomHighPort() });
  const env = {
    DATABASE_URL: await grantAppLogin(servers.postgres.url, newPassword()),
    REDIS_URL: servers.redis.url,
    QUEUE_PREFIX: 'ten-million',
  };
  apps.push(await startReadyApp(apiEntry, { ...env, API_PORT: String(apiPort) }, /Server listening/));
  apps.push(await startReadyWorker(env, threads));
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const runSweep = sweepRunner(apiUrl, auth);
  log(`machine: ${cpus()[0]?.model} × ${availableParallelism()} cores; worker threads ${threads}`);
  // Warm the worker's threads (module load, JIT) on a small sweep of the same point.
  await runSweep({ ...spec, name: 'warm-up', cohort: { patients: 200, seed: 1 } });

  const kernelBefore = kernelRate(5);
  const redisMemory = async () =>
    Number(/used_memory:(\d+)/.exec(String(await redisCommand(servers.redis.url, ['INFO', 'memory'])))?.[1]);
  const redisBefore = await redisMemory();
  const { rows: before } = await owner.pool.query<{ bytes: string }>(
    'select sum(pg_total_relation_size(c.oid))::int8 as bytes from pg_class c where c.relkind = $1',
    ['r'],
  );
  let redisPeak = redisBefore;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      redisPeak = Math.max(redisPeak, await redisMemory());
      await new Promise((r) => setTimeout(r, 1_000));
    }
  })();
  const cpuBefore = {
    postgres: processTreeCpuSeconds([servers.postgres.pid]),
    api: processTreeCpuSeconds([apps[0]!.pid]),
    worker: processTreeCpuSeconds([apps[1]!.pid]),
  };
  const load = loadavg()[0]!.toFixed(1);
  const start = performance.now();
  const sweep = await runSweep(spec);
  const { rows: chunks } = await owner.pool.query<{ chunkSize: number; planned: number }>(
    'select chunk_size as "chunkSize", chunks_planned as planned from sweeps where id = $1',
    [sweep.id],
  );
  const seconds = (performance.now() - start) / 1000;
  sampling = false;
  await sampler;
  const kernelAfter = kernelRate(5);
  const total = 100 * patients;
  if (sweep.status !== 'completed' || sweep.progress.done !== total)
    throw new Error(`sweep ended ${JSON.stringify(sweep)}`);
  await owner.pool.query('vacuum');
  const { rows: after } = await owner.pool.query<{ bytes: string }>(
    'select sum(pg_total_relation_size(c.oid))::int8 as bytes from pg_class c where c.relkind = $1',
    ['r'],
  );
  const cpu = [
    `postgres ${(processTreeCpuSeconds([servers.postgres.pid]) - cpuBefore.postgres).toFixed(1)}`,
    `api ${(processTreeCpuSeconds([apps[0]!.pid]) - cpuBefore.api).toFixed(1)}`,
    `worker ${(processTreeCpuSeconds([apps[1]!.pid]) - cpuBefore.worker).toFixed(1)}`,
  ].join(', ');
  const kernel = (kernelBefore + kernelAfter) / 2;
  const rate = total / seconds;
  log(
    `${total.toLocaleString('en-US')} simulations (summary) in ${seconds.toFixed(1)} s (load ${load} at start): ${rate.toFixed(0)} sims/s; one core's kernel ${kernelBefore.toFixed(0)} → ${kernelAfter.toFixed(0)} sims/s, so ${(rate / kernel).toFixed(2)} cores' worth on ${threads} threads (${((100 * rate) / kernel / threads).toFixed(0)} %)`,
  );
  log(
    `${chunks[0]!.planned.toLocaleString('en-US')} chunks of ${chunks[0]!.chunkSize.toLocaleString('en-US')}; CPU-s during the sweep: ${cpu}; submit ${sweep.submitSeconds.toFixed(2)} s`,
  );
  log(
    `Redis used_memory: ${(redisBefore / 1e6).toFixed(2)} MB before, at most ${(redisPeak / 1e6).toFixed(2)} MB while it ran; Postgres tables + indexes + TOAST added: ${((Number(after[0]!.bytes) - Number(before[0]!.bytes)) / 1e6).toFixed(2)} MB (${((Number(after[0]!.bytes) - Number(before[0]!.bytes)) / total).toFixed(3)} B/simulation, every table of the database)`,
  );

  // Exactly once, from the answers a user gets: every endpoint's groups and the points rows count each patient once.
  for (const endpoint of survivalEndpoints) {
    const started = performance.now();
    const response = await fetch(
      `${apiUrl}/v1/sweeps/${sweep.id}/survival?endpoint=${endpoint}&groupBy=dose`,
      {
        headers: auth,
      },
    );
    const body = (await response.json()) as { partial: boolean; groups: { patients: number }[] };
    const counted = body.groups.reduce((sum, g) => sum + g.patients, 0);
    log(
      `survival ${endpoint} by dose: ${response.status}, ${body.groups.length} groups, patients ${counted.toLocaleString('en-US')}, partial ${body.partial} (${(performance.now() - started).toFixed(0)} ms)`,
    );
    if (response.status !== 200 || counted !== total || body.partial)
      throw new Error(`survival ${endpoint} miscounted`);
  }
  const pointsResponse = await fetch(`${apiUrl}/v1/sweeps/${sweep.id}/points?limit=100`, { headers: auth });
  const { points } = (await pointsResponse.json()) as { points: { patients: number }[] };
  const inPoints = points.reduce((sum, p) => sum + p.patients, 0);
  log(`points: ${points.length} rows, patients ${inPoints.toLocaleString('en-US')}`);
  if (inPoints !== total) throw new Error('points miscounted');
  await owner.close();
} finally {
  await stop();
}
