/**
 * End-to-end throughput benchmark: a ≥10⁵-simulation sweep through API → BullMQ → worker process
 * (piscina threads) → Postgres, divided by the raw kernel's rate for exactly the same simulations
 * on the same threads, both measured in this run (the machine is shared and noisy: ratios travel,
 * absolute rates don't). Servers are throwaway (temp folder), durable settings as in the local stack.
 *
 *   pnpm --filter @frontline/worker bench      (or: pnpm bench)
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultChunkSize as chunkSize, expandSweep, parseSweepSpec } from '@frontline/contracts';
import { connectDatabase, createApiKey, migrate } from '@frontline/db';
import {
  apiEntry,
  findFreePort,
  grantAppLogin,
  type ManagedProcess,
  newPassword,
  randomHighPort,
  startApp,
  startPostgres,
  startRedis,
  workerEntry,
} from '@frontline/stack';
import { createSimulationPool } from '../src/pool.js';

const threads = Number(process.env.BENCH_THREADS ?? availableParallelism());
const patients = Number(process.env.BENCH_PATIENTS ?? 2_800);
const spec = {
  name: 'benchmark: dose × immunity × plasticity',
  design: {
    kind: 'grid',
    axes: { dose: [0, 1, 2, 5], immuneKill: [0.01, 0.035, 0.1], emtPlasticity: [0.1, 1, 10] },
  },
  cohort: { patients, seed: 20_261_129 },
};

async function rawKernelSeconds(): Promise<number> {
  const parsed = parseSweepSpec(spec);
  if (!parsed.ok) throw parsed.error;
  const { points, modelId } = expandSweep(parsed.spec);
  const pool = createSimulationPool(threads);
  // Warm the threads (module load, JIT) before timing, as the worker process is warm too.
  await Promise.all(
    Array.from({ length: threads }, () =>
      pool.run({
        cohortSeed: 1,
        segments: [{ modelId, params: points[0]!.params, patientStart: 0, patientEnd: 50 }],
      }),
    ),
  );
  const start = performance.now();
  const tasks = [];
  for (const point of points) {
    for (let s = 0; s < patients; s += chunkSize) {
      tasks.push(
        pool.run({
          cohortSeed: spec.cohort.seed,
          segments: [
            { modelId, params: point.params, patientStart: s, patientEnd: Math.min(s + chunkSize, patients) },
          ],
        }),
      );
    }
  }
  await Promise.all(tasks);
  const seconds = (performance.now() - start) / 1000;
  await pool.close();
  return seconds;
}

/** Start the API or a worker process (as the stack does) and wait for its `ready` log line. */
async function startReadyApp(
  entry: string,
  env: Record<string, string>,
  ready: RegExp,
): Promise<ManagedProcess> {
  let markReady = () => {};
  const isReady = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  const app = await startApp({
    name: entry,
    entry,
    env: { ...process.env, LOG_LEVEL: 'info', ...env },
    onLine: (line) => ready.test(line) && markReady(),
  });
  await Promise.race([
    isReady,
    app.exited.then((status) => {
      throw new Error(`${entry} exited (${JSON.stringify(status)}):\n${app.recentOutput.join('\n')}`);
    }),
  ]);
  return app;
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'frontline-bench-'));
  chmodSync(dir, 0o755);
  const quiet = () => {};
  const postgres = await startPostgres({
    dataDir: join(dir, 'postgres'),
    passwordFile: join(dir, 'postgres-password'),
    database: 'frontline',
    preferredPort: randomHighPort(),
    onLine: quiet,
  });
  const redis = await startRedis({ dir: join(dir, 'redis'), preferredPort: randomHighPort(), onLine: quiet });
  const children: ManagedProcess[] = [];
  try {
    await migrate(postgres.url);
    const owner = connectDatabase(postgres.url, { max: 1 });
    const { token } = await createApiKey(owner.pool, {
      tenantId: 'bench',
      role: 'submit',
      name: 'benchmark',
    });
    await owner.close();
    const auth = { authorization: `Bearer ${token}` };
    const total = 36 * patients;
    console.log(`machine: ${cpus()[0]?.model} × ${availableParallelism()} cores; worker threads: ${threads}`);
    console.log(`sweep: 36 points × ${patients} patients = ${total} simulations, chunks of ${chunkSize}`);

    const rawSeconds = await rawKernelSeconds();
    const rawRate = total / rawSeconds;
    console.log(
      `raw kernel before (piscina, ${threads} threads): ${rawSeconds.toFixed(2)} s → ${rawRate.toFixed(0)} sims/s`,
    );

    const apiPort = await findFreePort({ preferred: randomHighPort() });
    const appUrl = await grantAppLogin(postgres.url, newPassword());
    const env = { DATABASE_URL: appUrl, REDIS_URL: redis.url, QUEUE_PREFIX: 'bench' };
    children.push(await startReadyApp(apiEntry, { ...env, API_PORT: String(apiPort) }, /Server listening/));
    children.push(
      await startReadyApp(
        workerEntry,
        { ...env, WORKER_THREADS: String(threads), WORKER_PORT: '-1' },
        /worker ready/,
      ),
    );

    const apiUrl = `http://127.0.0.1:${apiPort}`;
    const runSweep = async (body: object) => {
      const response = await fetch(`${apiUrl}/v1/sweeps`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...auth },
        body: JSON.stringify(body),
      });
      const created = (await response.json()) as { id: string };
      let status: { status: string; progress: { done: number } };
      do {
        await new Promise((r) => setTimeout(r, 100));
        const poll = await fetch(`${apiUrl}/v1/sweeps/${created.id}`, { headers: auth });
        status = (await poll.json()) as typeof status;
      } while (status.status === 'queued' || status.status === 'running');
      return status;
    };
    // Warm the worker's threads (module load, JIT) as the raw kernel's were: a long-lived worker is warm.
    await runSweep({ ...spec, name: 'warm-up', cohort: { patients: 100, seed: 1, chunkSize: 50 } });
    const start = performance.now();
    const status = await runSweep(spec);
    const e2eSeconds = (performance.now() - start) / 1000;
    if (status.status !== 'completed' || status.progress.done !== total)
      throw new Error(`sweep ended ${JSON.stringify(status)}`);
    const e2eRate = total / e2eSeconds;
    console.log(
      `end to end (API → BullMQ → worker → Postgres): ${e2eSeconds.toFixed(2)} s → ${e2eRate.toFixed(0)} sims/s`,
    );
    // Raw again after, so drift in the machine's load between the two phases shows and averages out.
    const rawAfterSeconds = await rawKernelSeconds();
    const rawAfterRate = total / rawAfterSeconds;
    console.log(`raw kernel again: ${rawAfterSeconds.toFixed(2)} s → ${rawAfterRate.toFixed(0)} sims/s`);
    const rawMean = (rawRate + rawAfterRate) / 2;
    console.log(
      `ratio end-to-end / raw kernel (mean of before and after): ${(e2eRate / rawMean).toFixed(3)} (goal ≥ 0.9)`,
    );
  } finally {
    for (const app of children.reverse()) await app.stop('SIGTERM', 30_000);
    await redis.stop();
    await postgres.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
