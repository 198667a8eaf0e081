/**
 * Workers on several hosts (network namespaces, as infra/multihost/test): throughput of
 *   1. one worker process × 1 thread, then two (on two hosts) × 1 thread: scaling efficiency, measured
 *      alternated 1×1, 2×1, 1×1, 2×1, 1×1 (BENCH_SCALING_ROUNDS 2×1 runs) so the shared machine's drift
 *      cancels: each 2×1 rate over 2 × the mean of the 1×1 runs either side of it;
 *   2. two worker hosts reaching Postgres and Redis through the proxy host, first with no delay
 *      (the relay's own cost), then with BENCH_DELAY_MS each way (default 25: +50 ms per round trip);
 * and the Postgres and Redis connections each worker process holds (pg_stat_activity, CLIENT LIST),
 * counted while the two-process sweep runs. Every figure is simulations/s from the POST until the
 * API says `completed`, each worker warmed by a small sweep first. Needs root (ip netns).
 *
 *   pnpm --filter @frontline/multihost bench      (or: pnpm bench; BENCH_OUTCOMES=summary, BENCH_PATIENTS)
 *   BENCH_SCALING_ONLY=1 BENCH_SCALING_ROUNDS=2 …   (the scaling figure only: no proxy, no latency runs)
 */
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { type Cluster, startCluster, waitFor } from '../test/support/cluster.js';

const patients = Number(process.env.BENCH_PATIENTS ?? 6_000);
const delayMs = Number(process.env.BENCH_DELAY_MS ?? 25);
// Retention of the bench sweeps (issue 13's modes): `full` stores every row, `summary` only the tables.
const retention = process.env.BENCH_OUTCOMES === 'summary' ? 'summary' : 'full';
const scalingRounds = Number(process.env.BENCH_SCALING_ROUNDS ?? 2);
const scalingOnly = process.env.BENCH_SCALING_ONLY === '1';
let seed = 20_261_202;

/** The benchmark sweep: 8 points of a three-axis grid, the default chunk size (production's). */
function sweepSpec(cohortPatients: number) {
  seed += 1; // a new seed each run: stored outcomes are reused per seed
  return {
    name: `multihost bench ${seed}`,
    model: 'lf-tid@1',
    design: { kind: 'grid', axes: { dose: [0, 2], immuneKill: [0.035, 0.1], emtPlasticity: [0.1, 1] } },
    cohort: { patients: cohortPatients, seed },
    outcomes: retention,
  };
}

async function runSweep(cluster: Cluster, cohortPatients: number, during?: () => Promise<void>) {
  const started = performance.now();
  const id = await cluster.submit(sweepSpec(cohortPatients));
  if (during) {
    await cluster.waitForSweep(id, (s) => s.progress.done > 0);
    await during();
  }
  // Polled every 500 ms: the bench's own requests run on the machine it measures (at most 0.5 s of
  // wall time, 0.5–2 % of a run).
  await cluster.waitForSweep(id, (s) => s.status === 'completed', 1_200_000, 500);
  const seconds = (performance.now() - started) / 1000;
  return { seconds, rate: (8 * cohortPatients) / seconds };
}

/** Connections per worker process: Postgres backends by client address, Redis clients by address. */
async function countConnections(cluster: Cluster, hosts: readonly string[]) {
  const { rows } = await cluster.ownerPool.query<{ addr: string; connections: number }>(
    `select host(client_addr) as addr, count(*)::int as connections from pg_stat_activity
     where application_name = 'frontline-worker' group by 1`,
  );
  const clientList = String(await cluster.redis.call('CLIENT', 'LIST'));
  const counts: Record<string, { postgres: number; redis: number }> = {};
  for (const host of hosts) {
    const { address } = cluster.network.host(host);
    counts[host] = {
      postgres: rows.find((row) => row.addr === address)?.connections ?? 0,
      redis: clientList.split('\n').filter((line) => line.includes(` addr=${address}:`)).length,
    };
  }
  return counts;
}

/**
 * How many worker backends are busy (state other than idle) at once, sampled every 20 ms: what a
 * transaction-pooling pgbouncer would need as server connections per worker process.
 */
function sampleBusyConnections(cluster: Cluster) {
  let running = true;
  const counts: number[] = [];
  const loop = (async () => {
    while (running) {
      const { rows } = await cluster.ownerPool.query<{ busy: number }>(
        `select count(*)::int as busy from pg_stat_activity
         where application_name = 'frontline-worker' and state <> 'idle'`,
      );
      counts.push(rows[0]?.busy ?? 0);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return {
        samples: counts.length,
        mean: counts.reduce((a, b) => a + b, 0) / Math.max(1, counts.length),
        max: Math.max(0, ...counts),
      };
    },
  };
}

/** CPU seconds (user + system) of one thread, from /proc; 0 if it has exited. */
function threadCpuSeconds(pid: number, tid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** A process's program name (`postgres`, `redis-server`, `node`), to split a host's CPU by server. */
function programOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return 'exited';
  }
}

/** Every thread's CPU seconds of every process on these hosts, keyed `host:program pid tid`. */
function threadCpu(cluster: Cluster, hosts: readonly string[]): Map<string, number> {
  const cpu = new Map<string, number>();
  for (const host of hosts)
    for (const pid of cluster.network.pids(host)) {
      let tids: string[] = [];
      try {
        tids = readdirSync(`/proc/${pid}/task`);
      } catch {
        continue; // exited meanwhile
      }
      const program = programOf(pid);
      for (const tid of tids) cpu.set(`${host}:${program} ${pid} ${tid}`, threadCpuSeconds(pid, Number(tid)));
    }
  return cpu;
}

/**
 * Where a run's CPU went, per 10⁶ simulations: the simulation threads (per worker process, its busiest
 * thread but the main one: WORKER_THREADS=1), everything else of the worker processes (main thread, GC and
 * I/O helpers), and the coordinator (the data and api hosts: Postgres, Redis, the API with its reconciler every
 * 2 s here, and the bench's own progress polling every 500 ms through the api host's relay). On 2 cores the
 * 2 × 1 run pays the overhead out of simulation time, so 1 / (1 + overhead / simulation) is the scaling
 * efficiency the CPU alone allows (before the two kernels' own 0.93–0.98 on this machine).
 */
function cpuSplit(
  before: Map<string, number>,
  after: Map<string, number>,
  workerHosts: readonly string[],
  simulations: number,
) {
  const used = new Map<string, number>();
  for (const [key, seconds] of after) used.set(key, seconds - (before.get(key) ?? 0));
  const coordinatorHosts = new Map<string, number>();
  let simulation = 0;
  let workerOther = 0;
  const perProcess = new Map<string, { tid: string; seconds: number }[]>();
  for (const [key, seconds] of used) {
    const [hostProgram, pid, tid] = key.split(' ') as [string, string, string];
    const host = hostProgram.split(':')[0]!;
    if (!workerHosts.includes(host)) {
      coordinatorHosts.set(hostProgram, (coordinatorHosts.get(hostProgram) ?? 0) + seconds);
      continue;
    }
    const threads = perProcess.get(`${host} ${pid}`) ?? [];
    threads.push({ tid, seconds });
    perProcess.set(`${host} ${pid}`, threads);
  }
  for (const [process, threads] of perProcess) {
    const pid = process.split(' ')[1];
    const busiest = Math.max(0, ...threads.filter((t) => t.tid !== pid).map((t) => t.seconds));
    simulation += busiest;
    workerOther += threads.reduce((sum, t) => sum + t.seconds, 0) - busiest;
  }
  const per = (seconds: number) => ((seconds * 1e6) / simulations).toFixed(1);
  const coordinator = [...coordinatorHosts.values()].reduce((a, b) => a + b, 0);
  const byHost = [...coordinatorHosts].map(([host, seconds]) => `${host} ${per(seconds)}`).join(', ');
  const overhead = coordinator + workerOther;
  return `CPU-s per 10⁶: simulation threads ${per(simulation)}, rest of the worker processes ${per(workerOther)}, coordinator ${per(coordinator)} (${byHost}); overhead / simulation ${(overhead / simulation).toFixed(3)} → CPU-bound 2-core efficiency ${(1 / (1 + overhead / simulation)).toFixed(3)}`;
}

async function main() {
  console.log(
    `machine: ${cpus()[0]?.model ?? 'unknown'}, ${availableParallelism()} cores, load ${loadavg()[0]?.toFixed(2)}, outcomes ${retention}, node ${process.version}`,
  );
  const cluster = await startCluster({ jobLockMs: 30_000, workerHosts: ['w1', 'w2', 'w3', 'w4'] });
  const stopHost = (name: string) =>
    Promise.all(cluster.workerProcesses(name).map((worker) => worker.managed.stop('SIGTERM', 60_000)));
  try {
    const warm = () => runSweep(cluster, 200);
    const line = (what: string, run: { seconds: number; rate: number }) =>
      console.log(`${what}: ${run.rate.toFixed(0)} sims/s (${run.seconds.toFixed(2)} s)`);

    const cpuHosts = ['data', 'api', 'w1', 'w2'];
    const measured = async (run: () => Promise<{ seconds: number; rate: number }>) => {
      const before = threadCpu(cluster, cpuHosts);
      const result = await run();
      console.log(`  ${cpuSplit(before, threadCpu(cluster, cpuHosts), ['w1', 'w2'], 8 * patients)}`);
      return result;
    };
    await cluster.startWorkerHost('w1');
    await warm();
    const first = await measured(() => runSweep(cluster, patients));
    line('1 process × 1 thread', first);
    const ones = [first];
    const twos: { seconds: number; rate: number }[] = [];
    const efficiencies: number[] = [];
    for (let round = 0; round < scalingRounds; round++) {
      const second = await cluster.startWorkerHost('w2');
      await warm();
      const two = await measured(() => runSweep(cluster, patients));
      line('2 processes × 1 thread', two);
      await Promise.all(second.map((worker) => worker.managed.stop('SIGTERM', 60_000)));
      const one = await measured(() => runSweep(cluster, patients));
      line('1 process × 1 thread', one);
      const efficiency = two.rate / (ones.at(-1)!.rate + one.rate);
      console.log(`scaling efficiency (2 × 1 vs the 1 × 1 runs either side): ${efficiency.toFixed(3)}`);
      ones.push(one);
      twos.push(two);
      efficiencies.push(efficiency);
    }
    const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    console.log(
      `scaling efficiency, ${efficiencies.length} alternations: ${efficiencies.map((e) => e.toFixed(3)).join(', ')}; mean ${mean(efficiencies).toFixed(3)}`,
    );
    if (scalingOnly) return;
    // Connections, counted in a 2 × 1 run of their own: sampling pg_stat_activity every 20 ms costs Postgres
    // CPU (≈ 11 CPU-s per 10⁶ simulations here), which a measured run would pay out of simulation time.
    const counted = await cluster.startWorkerHost('w2');
    let connections: Awaited<ReturnType<typeof countConnections>> = {};
    const sampling = sampleBusyConnections(cluster);
    await runSweep(cluster, patients, async () => {
      connections = await countConnections(cluster, ['w1', 'w2']);
    });
    const busy = await sampling.stop();
    console.log(`connections per worker process while running: ${JSON.stringify(connections)}`);
    console.log(
      `worker backends not idle (in a statement or a transaction), per process: mean ${(busy.mean / 2).toFixed(3)}, max of both ${busy.max} (${busy.samples} samples)`,
    );
    await stopHost('w1');
    await Promise.all(counted.map((worker) => worker.managed.stop('SIGTERM', 60_000)));
    const two = { rate: mean(twos.map((t) => t.rate)) };

    await cluster.startProxy(0);
    await cluster.startWorkerHost('w3', { viaProxy: true });
    await cluster.startWorkerHost('w4', { viaProxy: true });
    await warm();
    const relayed = await runSweep(cluster, patients);
    line('2 × 1 through the proxy, no delay', relayed);
    await stopHost('w3');
    await stopHost('w4');
    await cluster.startProxy(delayMs);
    // Fresh processes: their connections open through the delaying relays.
    await cluster.startWorkerHost('w3', { viaProxy: true });
    await cluster.startWorkerHost('w4', { viaProxy: true });
    await warm();
    const turnsBefore = await cluster.proxyTurns();
    const delayed = await runSweep(cluster, patients);
    const turnsAfter = await cluster.proxyTurns();
    line(`2 × 1 through the proxy, ${delayMs} ms each way`, delayed);
    const { rows } = await cluster.ownerPool.query<{ chunks: number }>(
      'select count(*)::int as chunks from chunks where sweep_id = (select id from sweeps order by created_at desc limit 1)',
    );
    const chunks = rows[0]?.chunks ?? 1;
    console.log(
      `round trips per chunk (${chunks} chunks): Postgres ${((turnsAfter.postgres - turnsBefore.postgres) / chunks).toFixed(1)}, Redis ${((turnsAfter.redis - turnsBefore.redis) / chunks).toFixed(1)} (the API's progress polling not included: it does not pass the proxy)`,
    );
    console.log(
      `latency ratio (+${2 * delayMs} ms round trip): ${(delayed.rate / relayed.rate).toFixed(3)} vs the relay with no delay, ${(delayed.rate / two.rate).toFixed(3)} vs direct`,
    );
    await waitFor('nothing running', async () => (await cluster.queue.getActiveCount()) === 0);
  } finally {
    await cluster.stop();
  }
}

await main();
