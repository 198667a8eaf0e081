/**
 * Benchmark (issue 11, finding 8): does /healthz keep answering while the heaviest survival request the
 * limits allow runs? The heaviest is a log-rank test across maxLogRankGroups (100) groups — a k × k
 * variance per event time — on 100 points × 500 patients with continuous times, with no reference arm
 * (so all groups are tested together). /healthz is polled every 10 ms from a separate process (curl, so
 * the poller does not share the API's thread) while the request runs 3 times. Writes
 * `## Liveness under the heaviest request` in docs/benchmarks.md. Run: `pnpm --filter @frontline/api bench`.
 */
import { execFile, spawn } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';
import { connectDatabase, createApiKey, migrate } from '@frontline/db';
import { chunkQueueName, redisConnection } from '@frontline/queue';
import { startThrowawayServers } from '@frontline/stack';
import { Queue } from 'bullmq';
import { buildApp } from '../src/app.js';
import { gridAxisValues, sampledAxisValues, seedSweep } from '../test/support/seed-outcomes.js';
import { writeBenchFigures } from './benchmarks-doc.js';

const heading = '## Liveness under the heaviest request';
const log = (line: string) => console.log(`[bench] ${line}`);
const percentile = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]!;

/** Poll `url` every 10 ms with curl in a shell loop (another process) until stopped; latencies in ms. */
function pollFromAnotherProcess(url: string) {
  const poller = spawn(
    'sh',
    ['-c', `while :; do curl -s -o /dev/null -w '%{http_code} %{time_total}\\n' '${url}'; sleep 0.01; done`],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  let text = '';
  poller.stdout.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  return {
    stop() {
      poller.kill();
      const lines = text.trim().split('\n').filter(Boolean);
      return lines.map((line) => {
        const [status, seconds] = line.split(' ');
        return { status: Number(status), ms: Number(seconds) * 1000 };
      });
    },
  };
}

const curlTime = (url: string, token: string) =>
  new Promise<{ ms: number; status: number }>((resolve, reject) =>
    execFile(
      'curl',
      [
        '-sS',
        '-o',
        '/dev/null',
        '-w',
        '%{http_code} %{time_total}',
        '-H',
        `authorization: Bearer ${token}`,
        url,
      ],
      (error, stdout) => {
        if (error) return reject(error);
        const [status, seconds] = stdout.split(' ');
        resolve({ status: Number(status), ms: Number(seconds) * 1000 });
      },
    ),
  );

const servers = await startThrowawayServers(log);
try {
  const databaseUrl = servers.postgres.url;
  await migrate(databaseUrl);
  const owner = connectDatabase(databaseUrl);
  const widest = await seedSweep(owner.pool, {
    tenantId: 'default',
    axisValues: gridAxisValues({
      dose: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
      immuneKill: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
    }),
    patients: 500,
  });
  const sampled = await seedSweep(owner.pool, {
    tenantId: 'default',
    axisValues: sampledAxisValues(8_192, ['dose', 'immuneKill']),
    patients: 5,
  });
  const light = connectDatabase(databaseUrl, { appRole: true, max: 6 });
  const heavy = connectDatabase(databaseUrl, { appRole: true, max: 16, statementTimeoutMs: 30_000 });
  const redis = redisConnection(servers.redis.url, 'producer');
  const queue = new Queue(chunkQueueName, { connection: redis, prefix: 'bench' });
  const { token } = await createApiKey(owner.pool, { tenantId: 'default', role: 'read', name: 'bench' });
  const app = await buildApp({
    pool: light.pool,
    heavyPool: heavy.pool,
    queue,
    redis,
    logger: false,
    rateLimitPerMinute: 1_000_000,
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const apiUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

  const runs: { ms: number; status: number }[] = [];
  const poller = pollFromAnotherProcess(`${apiUrl}/healthz`);
  await new Promise((r) => setTimeout(r, 300)); // the poller is running before the first request
  for (let i = 0; i < 3; i++) runs.push(await curlTime(`${apiUrl}/v1/sweeps/${widest.id}/survival`, token));
  const polls = poller.stop();
  const refused = await curlTime(`${apiUrl}/v1/sweeps/${sampled.id}/survival`, token);
  const answered = polls.filter((p) => p.status === 200).map((p) => p.ms);
  const heaviest = runs.map((r) => `${r.ms.toFixed(0)} ms (${r.status})`).join(', ');
  log(`heaviest allowed survival (100-group log-rank, 50,000 outcomes): ${heaviest}`);
  log(
    `/healthz: ${answered.length} of ${polls.length} polls answered 200; p50 ${percentile(answered, 50).toFixed(1)} ms, ` +
      `p99 ${percentile(answered, 99).toFixed(1)} ms, max ${Math.max(...answered).toFixed(1)} ms`,
  );
  log(`per-point survival of an 8,192-point sampled sweep: ${refused.status} in ${refused.ms.toFixed(0)} ms`);

  const cpu = cpus();
  const machine = `${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Node ${process.version}, load average at start ${loadavg()[0]!.toFixed(1)} (machine shared with other jobs)`;
  const figures = `\`/healthz\` polled every 10 ms by curl from another process while the heaviest survival request the limits
allow runs 3 times: a log-rank test across all ${100} groups (maxLogRankGroups) of a 100-point sweep × 500
patients, continuous times (statistics in the API's worker threads since issue 11).

| measure | figure |
|---|---|
| heaviest allowed survival request (3 runs, curl) | ${heaviest} |
| \`/healthz\` polls answered during them | **${answered.length} of ${polls.length}** |
| \`/healthz\` latency p50 / p99 / max | ${percentile(answered, 50).toFixed(1)} / ${percentile(answered, 99).toFixed(1)} / **${Math.max(...answered).toFixed(1)} ms** (goal: < 100 ms) |
| per-point survival of an 8,192-point sampled sweep (froze the API for minutes before) | ${refused.status} \`limit_exceeded\` in ${refused.ms.toFixed(0)} ms |

Method: \`pnpm --filter @frontline/api bench\` (apps/api/bench/healthz.ts), throwaway Postgres + Redis, outcomes
inserted with generate_series. Machine: ${machine}.
`;
  writeBenchFigures(heading, 'bench:healthz', figures, log);
  await app.close();
  await queue.close();
  redis.disconnect();
  await Promise.all([light.close(), heavy.close(), owner.close()]);
} finally {
  await servers.stop();
}
