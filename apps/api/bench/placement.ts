/**
 * Benchmark (issue 13, benchmark 4's many small points): what the coordinator spends to accept and place a
 * sampled design, per point. A Latin hypercube of 50,000 points × 2 patients in `summary` mode (the
 * pipeline bench's small shape), submitted over HTTP and placed to its last point, with no workers: the
 * API process's CPU (in process: checking, expanding, hashing, planning, the placement's statements) and
 * Postgres's (its server and backends), per point. Each run has its own design seed, so every point is new.
 * Throwaway Postgres + Redis. Run: `pnpm --filter @frontline/api bench:placement` (BENCH_RUNS, BENCH_POINTS).
 */
import { cpus } from 'node:os';
import { connectDatabase, createApiKey, migrate } from '@frontline/db';
import { chunkQueueName, redisConnection } from '@frontline/queue';
import { processTreeCpuSeconds, startThrowawayServers } from '@frontline/stack';
import { Queue } from 'bullmq';
import { buildApp } from '../src/app.js';
import { warmUpSubmission } from '../src/sweep-service.js';

const runs = Number(process.env.BENCH_RUNS ?? 4);
const points = Number(process.env.BENCH_POINTS ?? 50_000);
const log = (line: string) => console.log(`[bench] ${line}`);

const spec = (seed: number) => ({
  name: `placement bench ${seed}`,
  design: {
    kind: 'lhs',
    samples: points,
    seed,
    axes: { dose: { min: 0, max: 10 }, immuneKill: { min: 0.01, max: 0.2 } },
  },
  cohort: { patients: 2, seed },
  outcomes: 'summary',
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
  });
  await warmUpSubmission();
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const apiUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  log(
    `machine: ${cpus()[0]?.model} × ${cpus().length} cores (shared); ${points.toLocaleString('en-US')} points × 2 patients a run`,
  );
  const perPoint = (seconds: number) => ((seconds * 1e6) / points).toFixed(1);
  const totals: number[] = [];
  for (let run = 0; run <= runs; run++) {
    const cpuBefore = process.cpuUsage();
    const postgresBefore = processTreeCpuSeconds([servers.postgres.pid]);
    const start = performance.now();
    const response = await fetch(`${apiUrl}/v1/sweeps`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(spec(1000 + run)),
    });
    const body = (await response.json()) as { id: string };
    if (response.status !== 202) throw new Error(`submit: ${response.status} ${JSON.stringify(body)}`);
    // Placement and the window's enqueues run after the reply: settled() waits for them.
    await app.sweeps.settled();
    const seconds = (performance.now() - start) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const api = (cpu.user + cpu.system) / 1e6;
    const postgres = processTreeCpuSeconds([servers.postgres.pid]) - postgresBefore;
    const { rows } = await owner.pool.query<{ placed: number | null; n: number }>(
      'select points_placed as placed, (select count(*)::int from sweep_points where sweep_id = $1) as n from sweeps where id = $1',
      [body.id],
    );
    if (rows[0]?.placed !== null || rows[0]?.n !== points)
      throw new Error(`placement unfinished: ${JSON.stringify(rows)}`);
    // Run 0 warms the placement path (statements, JIT) and is not counted.
    if (run > 0) totals.push(api + postgres);
    log(
      `run ${run}${run === 0 ? ' (warm-up, not counted)' : ''}: ${seconds.toFixed(2)} s; API ${api.toFixed(2)} CPU-s (${perPoint(api)} µs a point), Postgres ${postgres.toFixed(2)} CPU-s (${perPoint(postgres)} µs a point)`,
    );
    await fetch(`${apiUrl}/v1/sweeps/${body.id}/cancel`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
  }
  const sorted = [...totals].sort((a, b) => a - b);
  const median =
    sorted.length % 2
      ? sorted[sorted.length >> 1]!
      : (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2;
  log(`median API + Postgres: ${perPoint(median)} µs a point`);
  await app.close();
  await queue.close();
  redis.disconnect();
  await database.close();
  await owner.close();
} finally {
  await servers.stop();
}
