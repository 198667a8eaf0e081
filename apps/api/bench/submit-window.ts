/**
 * Benchmark (issue 13): submitting a 10⁸-simulation sweep. Time to the 202 (wall, over HTTP), and
 * the Redis memory the queued sweep holds (INFO memory `used_memory`, before vs after the submit),
 * for two shapes: 10⁴ points × 10⁴ patients and 10⁵ points × 10³ patients. Limits are raised for
 * the run only (maxSimulations 10⁸). Throwaway Postgres + Redis; the API in process; no workers, so
 * the sweep stays queued. Run: `pnpm --filter @frontline/api bench:submit` (BENCH_NO_WARMUP=1: without the
 * boot warm-up main.ts runs, so the first request meets unoptimised per-point code).
 */
import { cpus } from 'node:os';
import { defaultSweepLimits } from '@frontline/contracts';
import { connectDatabase, createApiKey, migrate } from '@frontline/db';
import { chunkQueueName, redisConnection } from '@frontline/queue';
import { processTreeCpuSeconds, startThrowawayServers } from '@frontline/stack';
import { Queue } from 'bullmq';
import { buildApp } from '../src/app.js';
import { warmUpSubmission } from '../src/sweep-service.js';

const log = (line: string) => console.log(`[bench] ${line}`);

/**
 * CPU seconds of the Postgres server and its backends so far: the database's share of a submission, which the
 * machine's load does not inflate.
 */
const postgresCpuSeconds = (postmasterPid: number) => processTreeCpuSeconds([postmasterPid]);

const usedMemory = async (redis: ReturnType<typeof redisConnection>) =>
  Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1]);

/** A Latin hypercube over two axes: `points` points, each `patients` patients. */
const sampledSpec = (points: number, patients: number, seed: number) => ({
  name: `submit bench ${points} × ${patients}`,
  design: {
    kind: 'lhs',
    samples: points,
    seed,
    axes: { dose: { min: 0, max: 10 }, immuneKill: { min: 0.01, max: 0.2 } },
  },
  cohort: { patients, seed },
});

const servers = await startThrowawayServers(log);
try {
  await migrate(servers.postgres.url);
  const owner = connectDatabase(servers.postgres.url);
  const database = connectDatabase(servers.postgres.url, { appRole: true, max: 6 });
  const redis = redisConnection(servers.redis.url, 'producer');
  const queue = new Queue(chunkQueueName, { connection: redis, prefix: 'bench' });
  const { token } = await createApiKey(owner.pool, { tenantId: 'bench', role: 'submit', name: 'bench' });
  const app = await buildApp({
    pool: database.pool,
    queue,
    redis,
    logger: false,
    rateLimitPerMinute: 1_000_000,
    limits: { ...defaultSweepLimits, maxSimulations: 100_000_000 },
  });
  // As main.ts does before it listens (BENCH_NO_WARMUP=1: without, for the before figure).
  const warmUp = process.env.BENCH_NO_WARMUP !== '1';
  if (warmUp) await warmUpSubmission();
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const apiUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  log(`machine: ${cpus()[0]?.model} × ${cpus().length} cores (shared)`);
  log(
    '| shape | simulations | chunks planned | jobs in Redis | 202 after | API process CPU | Postgres CPU | Redis used_memory added |',
  );
  log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  // 10⁴ points twice: first as the process's first request (code not yet optimised by the JIT), then
  // after the 10⁵ run, as a long-running API answers; each run its own design seed, so nothing is reused.
  for (const [run, [points, patients]] of (
    [
      [10_000, 10_000],
      [100_000, 1_000],
      [10_000, 10_000],
    ] as const satisfies readonly (readonly [number, number])[]
  ).entries()) {
    const memoryBefore = await usedMemory(redis);
    const label =
      run === 0
        ? warmUp
          ? ' (first, warm-up at boot)'
          : ' (first, no warm-up)'
        : run === 2
          ? ' (warm)'
          : '';
    // CPU of this process (the API, in process) beside the wall time: on a shared machine the wall time
    // is mostly waiting for a core.
    const cpuBefore = process.cpuUsage();
    const postgresCpuBefore = postgresCpuSeconds(servers.postgres.pid);
    const start = performance.now();
    const response = await fetch(`${apiUrl}/v1/sweeps`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(sampledSpec(points, patients, points + run)),
    });
    const ms = performance.now() - start;
    const body = (await response.json()) as { id: string; simulations: number };
    if (response.status !== 202) throw new Error(`submit: ${response.status} ${JSON.stringify(body)}`);
    // The window's jobs past the first 100 are queued just after the reply: count them too.
    await app.sweeps.settled();
    // CPU to here: the API's whole share of the submission, the jobs queued after the reply included.
    const cpu = process.cpuUsage(cpuBefore);
    const postgresCpu = postgresCpuSeconds(servers.postgres.pid) - postgresCpuBefore;
    const memoryAfter = await usedMemory(redis);
    const { rows } = await owner.pool.query('select chunks_planned as n from sweeps where id = $1', [
      body.id,
    ]);
    const jobs = await queue.count();
    log(
      `| ${points.toLocaleString('en-US')} points × ${patients.toLocaleString('en-US')} patients${label} | ${body.simulations.toLocaleString('en-US')} | ${rows[0].n.toLocaleString('en-US')} | ${jobs} | ${ms.toFixed(0)} ms | ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms | ${(postgresCpu * 1000).toFixed(0)} ms | ${((memoryAfter - memoryBefore) / 1e6).toFixed(2)} MB |`,
    );
    await fetch(`${apiUrl}/v1/sweeps/${body.id}/cancel`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
  }
  await app.close();
  await queue.close();
  redis.disconnect();
  await database.close();
  await owner.close();
} finally {
  await servers.stop();
}
