/**
 * Coordinator ceiling (issue 13, benchmark 3): simulations/s that the API + Redis + Postgres absorb
 * when the workers do no model work. Worker processes start with a benchmark-only preload
 * (bench/stand-in-preload.mjs) that swaps the piscina task for one returning precomputed outcomes;
 * everything else — BullMQ jobs, loadChunk, completeChunk's transaction (rows in `full` mode, survival
 * tables and point summaries in both), the enqueue window — is the production code. Per retention mode
 * and worker count it reports the sweep's simulations/s (POST → `completed`), the CPU each server used
 * meanwhile (from /proc, per process group), and what the chunk transactions waited on
 * (pg_stat_activity sampled every 50 ms). One core's kernel rate, measured in the same run before and
 * after, turns the rate into cores fed.
 *
 * The worker processes' main threads (BullMQ, loadChunk, completeChunk) are reported apart from their
 * simulation threads, and the coordinator's own CPU (Postgres + API + Redis) per 10⁶ simulations gives
 * how many kernel cores one coordinator core feeds.
 *
 *   pnpm --filter @frontline/worker bench:ceiling
 *   BENCH_WORKERS=1x2,2x2,4x2 BENCH_MODES=summary,full BENCH_CHUNK=2000,10000,50000 BENCH_MODEL=lf-tid@1 …
 *   BENCH_SHAPE=small BENCH_WORKERS=1x2 BENCH_MODES=summary BENCH_CHUNK=2000 (per point; 100,000 simulations)
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expandSweep, parseSweepSpec } from '@frontline/contracts';
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
  startPostgres,
  startRedis,
} from '@frontline/stack';
import {
  type BenchShape,
  benchShapePoints,
  benchShapeSpec,
  printTopStatements,
  profileFlags,
  requireWorkerFlags,
  resetStatements,
  startReadyApp,
  startReadyWorker,
  statementsSettings,
  stoppedOnSignal,
  sweepRunner,
} from './bench-apps.js';

// One core's kernel rate is timed in this process: with the workers' flags, as they run.
requireWorkerFlags('bench/ceiling.ts');

const workerShapes = (process.env.BENCH_WORKERS ?? '1x2,2x2,4x2').split(',').map((shape) => {
  const [processes, threads] = shape.split('x').map(Number);
  return { processes: processes!, threads: threads! };
});
/** BENCH_STATEMENTS=1: after each sweep, the statements Postgres spent most time on (pg_stat_statements). */
const statements = process.env.BENCH_STATEMENTS === '1';
const modes = (process.env.BENCH_MODES ?? 'summary,full').split(',') as ('summary' | 'full')[];
/** Chunk sizes to measure, each a sweep per mode and worker shape (BENCH_CHUNK_SIZE: the older name). */
const chunkSizes = (process.env.BENCH_CHUNK ?? process.env.BENCH_CHUNK_SIZE ?? '20000')
  .split(',')
  .map(Number);
const standInPreload = fileURLToPath(new URL('./stand-in-preload.mjs', import.meta.url));

/**
 * BENCH_SHAPE=small: the end-to-end bench's many small points (a Latin hypercube, 2 patients a point; its
 * own design seed each sweep, so every point is new) instead of 36 large ones. The coordinator's cost is then
 * per point, and this is the machine on which to read it, free of the kernel's contention.
 */
const shape: BenchShape = process.env.BENCH_SHAPE === 'small' ? 'small' : 'large';
const smallPoints = shape === 'small';
/** Simulations a sweep; many small points default to 50,000 points (the API's maxPoints is 100,000). */
const simulationsOf = {
  summary: Number(process.env.BENCH_SUMMARY_SIMULATIONS ?? (smallPoints ? 100_000 : 2_000_000)),
  full: Number(process.env.BENCH_FULL_SIMULATIONS ?? (smallPoints ? 100_000 : 400_000)),
};

/** The shape's sweep, about `simulations` in all (BENCH_MODEL: the stand-in's outcomes follow it). */
const sweepSpec = (
  mode: 'summary' | 'full',
  simulations: number,
  seed: number,
  chunkSize = 20_000,
  of: BenchShape = shape,
) =>
  benchShapeSpec(of, {
    name: `ceiling ${mode} ${of} ${seed}`,
    seed,
    simulations,
    outcomes: mode,
    chunkSize,
    model: process.env.BENCH_MODEL,
  });

/** One core's kernel rate: the sweep's points simulated on this thread for `seconds`, after a warm-up. */
function kernelRate(seconds: number): number {
  // Always the large shape's points, so the rate (and the cores fed) compare across shapes.
  const parsed = parseSweepSpec(sweepSpec('summary', 36_000, 1, undefined, 'large'), {
    maxPoints: 1e6,
    maxPatientsPerPoint: 1e6,
    maxSimulations: 1e9,
    maxChunksPerSweep: 1e6,
    maxBodyBytes: 1e8,
  });
  if (!parsed.ok) throw parsed.error;
  const { points, modelId } = expandSweep(parsed.spec);
  const run = (until: number) => {
    let done = 0;
    for (let k = 0; performance.now() < until; k++) {
      simulateCohort(modelId, points[k % points.length]!.params, 7, k * 100, 100);
      done += 100;
    }
    return done;
  };
  run(performance.now() + 1_000);
  const start = performance.now();
  const done = run(start + seconds * 1000);
  return done / ((performance.now() - start) / 1000);
}

/** CPU seconds (user + system) of these processes' main threads: their event loops, not their thread pools. */
function mainThreadCpuSeconds(pids: readonly number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // exited meanwhile
    }
  }
  return ticks / 100;
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'frontline-ceiling-'));
  chmodSync(dir, 0o755);
  const quiet = () => {};
  const postgres = await startPostgres({
    dataDir: join(dir, 'postgres'),
    passwordFile: join(dir, 'postgres-password'),
    database: 'frontline',
    preferredPort: randomHighPort(),
    onLine: quiet,
    settings: statements ? statementsSettings : {},
  });
  const redis = await startRedis({ dir: join(dir, 'redis'), preferredPort: randomHighPort(), onLine: quiet });
  let api: ManagedProcess | undefined;
  const workers: ManagedProcess[] = [];
  const owner = connectDatabase(postgres.url, { max: 1 });
  const stop = stoppedOnSignal(async () => {
    for (const worker of workers.reverse()) await worker.stop('SIGTERM', 30_000);
    await api?.stop('SIGTERM', 30_000);
    await owner.close();
    await redis.stop();
    await postgres.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  try {
    await migrate(postgres.url);
    const { token } = await createApiKey(owner.pool, { tenantId: 'bench', role: 'submit', name: 'ceiling' });
    const auth = { authorization: `Bearer ${token}` };
    const kernelBefore = kernelRate(4);
    console.log(
      `machine: ${cpus()[0]?.model} × ${availableParallelism()} cores; load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
    );
    console.log(`one core's kernel rate (before): ${kernelBefore.toFixed(0)} sims/s`);

    const apiPort = await findFreePort({ preferred: randomHighPort() });
    const appUrl = await grantAppLogin(postgres.url, newPassword());
    const env = { DATABASE_URL: appUrl, REDIS_URL: redis.url, QUEUE_PREFIX: 'ceiling' };
    api = await startReadyApp(
      apiEntry,
      { ...env, API_PORT: String(apiPort) },
      /Server listening/,
      profileFlags,
    );
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    const runSweep = sweepRunner(apiUrl, auth);

    // What the app role's backends do, sampled: running (CPU or I/O), waiting on a lock, or idle in a
    // transaction (waiting for the worker's next statement: a round trip).
    // Per state, which statement (its first words): running or waiting on it, or the last one sent
    // before the backend went idle in its transaction (what the worker does next is not SQL).
    const activity = {
      samples: 0,
      active: 0,
      lock: 0,
      idleInTransaction: 0,
      statements: new Map<string, number>(),
      /** Most Postgres connections the workers held at once, and Redis clients beyond the API's. */
      workerConnections: 0,
      redisClients: 0,
    };
    const redisClients = async () =>
      String(await redisCommand(redis.url, ['CLIENT', 'LIST']))
        .trim()
        .split('\n').length;
    const apiRedisClients = await redisClients();
    let sampling = false;
    const sampleActivity = async () => {
      while (sampling) {
        const { rows } = await owner.pool.query<{ state: string; wait: string | null; query: string }>(
          `select state, wait_event_type as wait, left(regexp_replace(query, '[[:space:]]+', ' ', 'g'), 48) as query
           from pg_stat_activity where usename = 'frontline_app' and pid <> pg_backend_pid()`,
        );
        activity.samples += 1;
        if (activity.samples % 20 === 1)
          activity.redisClients = Math.max(activity.redisClients, (await redisClients()) - apiRedisClients);
        const { rows: held } = await owner.pool.query<{ n: number }>(
          "select count(*)::int as n from pg_stat_activity where application_name = 'frontline-worker'",
        );
        activity.workerConnections = Math.max(activity.workerConnections, held[0]!.n);
        for (const row of rows) {
          const state =
            row.state === 'idle in transaction'
              ? 'idle in transaction after'
              : row.state === 'active' && row.wait === 'Lock'
                ? 'lock wait in'
                : row.state === 'active'
                  ? 'active in'
                  : undefined;
          if (!state) continue;
          if (state === 'idle in transaction after') activity.idleInTransaction += 1;
          else if (state === 'lock wait in') activity.lock += 1;
          else activity.active += 1;
          const key = `${state} «${row.query}»`;
          activity.statements.set(key, (activity.statements.get(key) ?? 0) + 1);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    };

    const results: { rate: number; coordinatorSeconds: number; label: string }[] = [];
    let seed = 100;
    for (const { processes, threads } of workerShapes) {
      for (let w = 0; w < processes; w++)
        workers.push(await startReadyWorker(env, threads, ['--import', standInPreload, ...profileFlags]));
      // Warm the workers' pools and JIT, and Postgres' caches, on a small sweep of each mode.
      for (const mode of modes) await runSweep(sweepSpec(mode, 36 * 2_000, seed++));
      if (statements) await resetStatements(owner.pool);
      for (const mode of modes)
        for (const chunkSize of chunkSizes) {
          const points = benchShapePoints(shape, simulationsOf[mode]);
          const simulations = points * Math.ceil(simulationsOf[mode] / points);
          const groups = {
            postgres: [postgres.pid],
            redis: [redis.pid],
            api: [api.pid],
            workers: workers.map((w) => w.pid),
          };
          const cpuBefore = Object.fromEntries(
            Object.entries(groups).map(([name, pids]) => [name, processTreeCpuSeconds(pids)]),
          );
          const mainBefore = mainThreadCpuSeconds(groups.workers);
          // The sampler's own backend (pg_stat_activity twice every 50 ms) is the bench's cost, not the
          // coordinator's: its CPU is taken out of Postgres's below (one pooled connection, kept busy).
          const monitorPid = async () =>
            (await owner.pool.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
          const monitor = await monitorPid();
          const monitorBefore = processTreeCpuSeconds([monitor]);
          Object.assign(activity, {
            samples: 0,
            active: 0,
            lock: 0,
            idleInTransaction: 0,
            statements: new Map(),
            workerConnections: 0,
            redisClients: 0,
          });
          sampling = true;
          const sampler = sampleActivity();
          const load = loadavg()[0]!.toFixed(1);
          // The sampler stops before anything is thrown: left running, it would outlive the pools and its
          // "Cannot use a pool after calling end" would hide the reason (a refused spec, a failed sweep).
          const status = await runSweep(sweepSpec(mode, simulations, seed++, chunkSize)).finally(async () => {
            sampling = false;
            await sampler;
          });
          const { seconds } = status;
          if (status.status !== 'completed' || status.progress.done !== simulations)
            throw new Error(`sweep ended ${JSON.stringify(status)}`);
          // CPU per 10⁶ simulations, whatever share of the shared machine each process got.
          const used = Object.fromEntries(
            Object.entries(groups).map(([name, pids]) => [
              name,
              processTreeCpuSeconds(pids) - cpuBefore[name]!,
            ]),
          );
          const monitorSeconds = processTreeCpuSeconds([monitor]) - monitorBefore;
          if ((await monitorPid()) !== monitor) throw new Error('the sampling connection changed mid-sweep');
          used.postgres! -= monitorSeconds;
          const mainUsed = mainThreadCpuSeconds(groups.workers) - mainBefore;
          // Many small points: per point (µs), as the coordinator's work is; otherwise per 10⁶ simulations.
          const perMillion = (s: number) =>
            smallPoints
              ? `${((s * 1e6) / points).toFixed(1)} µs a point`
              : `${((s * 1e6) / simulations).toFixed(2)} s/10⁶`;
          const cpu = Object.entries(used)
            .map(([name, s]) => `${name} ${(s / seconds).toFixed(2)} (${perMillion(s)})`)
            .join(', ');
          const coordinatorSeconds = used.postgres! + used.api! + used.redis!;
          const per = (n: number) => n / activity.samples;
          const chunks = Math.ceil(simulations / chunkSize);
          // Little's law: backends holding a transaction on average × wall time / chunks = server
          // connection time per chunk (what a pgbouncer pool must provide).
          const connectionSeconds =
            ((per(activity.active) + per(activity.lock) + per(activity.idleInTransaction)) * seconds) /
            chunks;
          const line =
            `${mode} ${processes}×${threads}: ${simulations} sims, ${chunks} chunks of ${chunkSize}, ` +
            `${seconds.toFixed(1)} s → ${(simulations / seconds).toFixed(0)} sims/s (load ${load}); ` +
            `CPU cores (CPU ${smallPoints ? 'per point' : 's per 10⁶ sims'}): ${cpu} (postgres without the bench's sampling backend, ${perMillion(monitorSeconds)}); ` +
            `worker main threads ${perMillion(mainUsed)}, ` +
            `coordinator (postgres + api + redis) ${perMillion(coordinatorSeconds)}; app backends per sample: active ${per(activity.active).toFixed(2)}, ` +
            `lock wait ${per(activity.lock).toFixed(2)}, idle in transaction ${per(activity.idleInTransaction).toFixed(2)}; ` +
            `server connection time per chunk ${(connectionSeconds * 1000).toFixed(0)} ms; ` +
            `per worker process at most ${(activity.workerConnections / processes).toFixed(1)} Postgres and ` +
            `${(activity.redisClients / processes).toFixed(1)} Redis connections`;
          console.log(line);
          const top = [...activity.statements].sort((x, y) => y[1] - x[1]).slice(0, 8);
          for (const [statement, count] of top)
            console.log(`    ${(count / activity.samples).toFixed(2)} backends ${statement}`);
          if (statements) await printTopStatements(owner.pool);
          results.push({
            rate: simulations / seconds,
            coordinatorSeconds: coordinatorSeconds / simulations,
            label: line.split(':')[0]!,
          });
        }
      for (const worker of workers.splice(0).reverse()) await worker.stop('SIGTERM', 30_000);
    }
    const kernelAfter = kernelRate(4);
    const kernel = (kernelBefore + kernelAfter) / 2;
    console.log(
      `one core's kernel rate (after): ${kernelAfter.toFixed(0)} sims/s; mean ${kernel.toFixed(0)} sims/s`,
    );
    // Cores fed: the rate this machine reached ÷ one core's kernel rate (bound by the 2 cores the workers
    // share); per coordinator core: the simulations one CPU-second of Postgres + API + Redis absorbs ÷ the same.
    for (const { rate, coordinatorSeconds, label } of results)
      console.log(
        `cores fed ${(rate / kernel).toFixed(0)}, kernel cores fed per coordinator core ` +
          `${(1 / coordinatorSeconds / kernel).toFixed(0)} ← ${label}`,
      );
  } finally {
    await stop();
  }
}

await main();
