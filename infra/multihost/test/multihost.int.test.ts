// Workers on several machines, made of network namespaces (test/support/network.ts): a data host
// (Postgres + Redis, password logins), an api host, a proxy host and worker hosts. Every scenario
// compares the sweep's whole exported outcome multiset with a one-host run of the same sweep.
import { type Harness, startHarness } from '@frontline/api/test-harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Cluster, type HostProcess, type SweepView, startCluster, waitFor } from './support/cluster.js';
import { compareOutcomes } from './support/outcomes.js';

/** BullMQ's job lock (JOB_LOCK_MS): a lost worker's chunks are retried by another after about this long. */
const jobLockMs = 4_000;
/** The app role's limit on a session idle in a transaction (a deployment's setting; 60 s by default). */
const idleInTransactionMs = 5_000;
/** One-way delay of the proxy host: 25 ms each way, 50 ms added to every round trip. */
const proxyDelayMs = 25;

/** A three-axis grid (8 points); every scenario has its own seed, as outcomes are stored per seed. */
function sweepSpec(seed: number, patients: number) {
  return {
    name: `multihost ${seed}`,
    model: 'lf-tid@1',
    design: { kind: 'grid', axes: { dose: [0, 2], immuneKill: [0.035, 0.1], emtPlasticity: [0.1, 1] } },
    cohort: { patients, seed, chunkSize: 300 },
  };
}
const specs = {
  everyHost: sweepSpec(71_001, 1_200),
  hostDies: sweepSpec(71_002, 1_800),
  partition: sweepSpec(71_003, 1_800),
  latency: sweepSpec(71_004, 600),
  joinAndLeave: sweepSpec(71_005, 3_000),
};
type Scenario = keyof typeof specs;

let oneHost: Harness;
let cluster: Cluster;
/** Each scenario's outcomes from the one-host run (API and one worker process on this machine). */
const reference = new Map<Scenario, Promise<string>>();

beforeAll(async () => {
  oneHost = await startHarness();
  await oneHost.startWorker(2);
  for (const scenario of Object.keys(specs) as Scenario[]) {
    reference.set(scenario, runOnOneHost(specs[scenario]));
  }
  cluster = await startCluster({
    jobLockMs,
    idleInTransactionMs,
    workerHosts: ['w1', 'w2', 'w3'],
    log: console.log,
  });
});

afterAll(async () => {
  await cluster?.stop();
  await oneHost?.stop();
});

async function runOnOneHost(spec: ReturnType<typeof sweepSpec>): Promise<string> {
  const { id } = await oneHost.submit(spec);
  await oneHost.waitForSweep(id, (s) => s.status === 'completed', 600_000);
  const response = await fetch(`${oneHost.apiUrl}/v1/sweeps/${id}/outcomes?format=ndjson`, {
    headers: oneHost.authHeaders,
  });
  return response.text();
}

/** The sweep's outcomes against the one-host run, and its chunks against the hosts that did them. */
async function census(scenario: Scenario, sweep: SweepView) {
  const comparison = compareOutcomes(
    (await reference.get(scenario)) ?? '',
    await cluster.exportOutcomes(sweep.id),
  );
  const { rows } = await cluster.ownerPool.query<{ chunks: number; done: number }>(
    `select count(*)::int as chunks, count(*) filter (where status = 'done')::int as done from chunks where sweep_id = $1`,
    [sweep.id],
  );
  // Provenance names `host:pid`; a host with several processes adds up.
  const byHost: Record<string, number> = {};
  for (const w of sweep.workers) {
    const host = w.host.split(':')[0] ?? w.host;
    byHost[host] = (byHost[host] ?? 0) + w.chunks;
  }
  const report = { ...comparison, chunks: rows[0]?.chunks, chunksDone: rows[0]?.done, chunksByHost: byHost };
  console.log(`[multihost] ${scenario}: ${JSON.stringify(report)}`);
  return report;
}

const noLoss = (patients: number) => ({
  expected: 8 * patients,
  stored: 8 * patients,
  lost: 0,
  duplicated: 0,
  unexpected: 0,
});

/** Until every one of these chunk jobs is finished (BullMQ removes a job once it completes). */
/**
 * Until the chunks of these job ids (`sweepId.chunkIndex`) are done in Postgres: what the scenarios
 * claim. Not until their jobs leave BullMQ: a job whose chunk another host committed can still fail in
 * BullMQ (its lock lapsed once more under load: "stalled more than allowable limit") and stay listed.
 */
async function waitUntilDone(jobIds: readonly string[]) {
  const chunks = jobIds.map((jobId) => {
    const dot = jobId.lastIndexOf('.');
    return { sweepId: jobId.slice(0, dot), chunkIndex: Number(jobId.slice(dot + 1)) };
  });
  await waitFor(
    `chunks of jobs ${jobIds.join(', ')} to be done`,
    async () => {
      const { rows } = await cluster.ownerPool.query<{ done: number }>(
        `select count(*)::int as done from chunks c
         join unnest($1::uuid[], $2::int4[]) as h(sweep_id, chunk_index)
           on c.sweep_id = h.sweep_id and c.chunk_index = h.chunk_index
         where c.status = 'done'`,
        [chunks.map((c) => c.sweepId), chunks.map((c) => c.chunkIndex)],
      );
      return rows[0]!.done === chunks.length;
    },
    120_000,
  );
}

async function stopWorkerHost(name: string) {
  await Promise.all(cluster.workerProcesses(name).map((worker) => worker.managed.stop('SIGTERM', 60_000)));
}

describe('workers on several hosts', () => {
  it('a three-axis sweep is done by every worker host, each named in the provenance', async () => {
    for (const host of ['w1', 'w2', 'w3']) await cluster.startWorkerHost(host);
    const id = await cluster.submit(specs.everyHost);
    const sweep = await cluster.waitForSweep(id, (s) => s.status === 'completed');
    const report = await census('everyHost', sweep);
    expect(report).toMatchObject({ ...noLoss(1_200), chunksDone: report.chunks });
    expect(Object.keys(report.chunksByHost).sort()).toEqual(['w1', 'w2', 'w3']);
    // Each chunk done exactly once: the hosts' counts add up to the sweep's chunks.
    expect(Object.values(report.chunksByHost).reduce((a, b) => a + b, 0)).toBe(report.chunks);
  });

  it('a worker host that dies (every process SIGKILLed) mid-sweep: the others finish its chunks', async () => {
    const id = await cluster.submit(specs.hostDies);
    let held: string[] = [];
    await waitFor('w3 to hold chunks', async () => {
      held = (await cluster.activeJobsByHost()).get('w3') ?? [];
      return held.length > 0;
    });
    const killedAt = Date.now();
    cluster.killHost('w3');
    // Recovery: until every chunk job w3 held is finished by another host.
    await waitUntilDone(held);
    const recoveryMs = Date.now() - killedAt;
    const sweep = await cluster.waitForSweep(id, (s) => s.status === 'completed');
    const report = await census('hostDies', sweep);
    console.log(
      `[multihost] hostDies: ${held.length} chunks held by w3, recovered in ${recoveryMs} ms (JOB_LOCK_MS ${jobLockMs})`,
    );
    expect(report).toMatchObject({ ...noLoss(1_800), chunksDone: report.chunks });
    expect(Object.values(report.chunksByHost).reduce((a, b) => a + b, 0)).toBe(report.chunks);
    expect(cluster.network.pids('w3')).toEqual([]);
  });

  it('a worker host cut off inside its write transaction, longer than the job lock: Postgres ends its session, nothing is written twice, and it works on', async () => {
    const id = await cluster.submit(specs.partition);
    // Hold every chunk write at the tally rows until one of w1's is waiting there, its chunk row and
    // its points' locks taken; cut w1 off, then let the write go on. Its session finishes the statement
    // and waits for a next one that never comes, holding those locks: what a partition mid-write leaves.
    const w1Address = cluster.network.host('w1').address;
    let orphan = 0;
    let held: string[] = [];
    const gate = await cluster.ownerPool.connect();
    try {
      await gate.query('begin');
      await gate.query('lock table sweep_point_tallies in exclusive mode');
      await waitFor('w1 to wait inside its write transaction', async () => {
        const { rows } = await cluster.ownerPool.query<{ pid: number }>(
          `select pid from pg_stat_activity
           where client_addr = $1::inet and wait_event_type = 'Lock' and backend_xid is not null`,
          [w1Address],
        );
        orphan = rows[0]?.pid ?? 0;
        return orphan !== 0;
      });
      held = (await cluster.activeJobsByHost()).get('w1') ?? [];
      cluster.network.setLink('w1', false);
    } finally {
      await gate.query('commit');
      gate.release();
    }
    const cutAt = Date.now();
    const sessionState = async () =>
      (
        await cluster.ownerPool.query<{ state: string }>(
          'select state from pg_stat_activity where pid = $1',
          [orphan],
        )
      ).rows[0]?.state ?? 'ended';
    let recoveryMs: number;
    let orphanEndedMs = 0;
    let sweep: SweepView;
    try {
      await waitFor('w1’s session to sit idle in its transaction', async () => {
        const state = await sessionState();
        if (state === 'ended')
          throw new Error('w1’s session ended before it was seen idle in its transaction');
        return state === 'idle in transaction';
      });
      // w2 finishes the sweep, w1's chunks included once their locks lapse and Postgres ends w1's session.
      await waitFor('Postgres to end w1’s session', async () => (await sessionState()) === 'ended');
      orphanEndedMs = Date.now() - cutAt;
      await waitUntilDone(held);
      recoveryMs = Date.now() - cutAt;
      sweep = await cluster.waitForSweep(id, (s) => s.status === 'completed');
      const offlineMs = 3 * jobLockMs - (Date.now() - cutAt);
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, offlineMs)));
    } finally {
      // Back online whatever happened: the later scenarios need the network whole.
      cluster.network.setLink('w1', true);
    }
    console.log(
      `[multihost] partition: w1 offline ${Date.now() - cutAt} ms; its session ended by Postgres ${orphanEndedMs} ms ` +
        `after the cut (idle_in_transaction_session_timeout ${idleInTransactionMs} ms); its ${held.length} chunks ` +
        `finished by w2 ${recoveryMs} ms after the cut`,
    );
    const [w1] = cluster.workerProcesses('w1') as [HostProcess];
    const refused = await w1.waitForLog(/[Mm]issing lock|lock.*(lost|renew)/, 60_000);
    console.log(`[multihost] partition: w1 back online logged: ${refused.slice(0, 160)}`);

    // Without a restart, w1 takes new work: the only worker left, it runs a whole sweep. By its end
    // w1 has long since finished (and tried to write) the chunks it held while cut off.
    await stopWorkerHost('w2');
    const next = await cluster.submit({
      ...specs.partition,
      cohort: { ...specs.partition.cohort, seed: 71_013, patients: 300 },
    });
    const nextSweep = await cluster.waitForSweep(next, (s) => s.status === 'completed');
    expect(nextSweep.workers.map((w) => w.host.split(':')[0])).toEqual(['w1']);
    expect(w1.managed.isRunning).toBe(true);

    // Its late results changed nothing: every outcome once, every chunk done once (by w2).
    const report = await census('partition', await cluster.sweep(sweep.id));
    expect(report).toMatchObject({ ...noLoss(1_800), chunksDone: report.chunks });
    expect(Object.values(report.chunksByHost).reduce((a, b) => a + b, 0)).toBe(report.chunks);
  });

  it('with 50 ms added between the worker hosts and the data host, nothing is lost', async () => {
    await stopWorkerHost('w1');
    await cluster.startProxy(proxyDelayMs);
    for (const host of ['w4', 'w5']) await cluster.startWorkerHost(host, { viaProxy: true });
    const id = await cluster.submit(specs.latency);
    const sweep = await cluster.waitForSweep(id, (s) => s.status === 'completed');
    const report = await census('latency', sweep);
    expect(report).toMatchObject({ ...noLoss(600), chunksDone: report.chunks });
    await stopWorkerHost('w4');
    await stopWorkerHost('w5');
  });

  it('a worker host that joins mid-sweep takes work; one sent SIGTERM finishes its chunks and leaves', async () => {
    await cluster.startWorkerHost('w6');
    const id = await cluster.submit(specs.joinAndLeave);
    await cluster.waitForSweep(id, (s) => s.progress.done > 0);
    await cluster.startWorkerHost('w7');
    const readyAt = Date.now();
    await waitFor(
      'w7 to take a chunk',
      async () => ((await cluster.activeJobsByHost()).get('w7') ?? []).length > 0,
    );
    const firstChunkMs = Date.now() - readyAt;
    // w6 leaves while it holds chunks: SIGTERM lets them finish, then it exits cleanly.
    await waitFor(
      'w6 to hold chunks',
      async () => ((await cluster.activeJobsByHost()).get('w6') ?? []).length > 0,
    );
    const [w6] = cluster.workerProcesses('w6') as [HostProcess];
    const exit = await w6.managed.stop('SIGTERM', 60_000);
    const sweep = await cluster.waitForSweep(id, (s) => s.status === 'completed');
    const report = await census('joinAndLeave', sweep);
    console.log(
      `[multihost] joinAndLeave: w7 took its first chunk ${firstChunkMs} ms after it was ready; w6 exit ${JSON.stringify(exit)}`,
    );
    expect(exit).toEqual({ code: 0, signal: null });
    expect(report).toMatchObject({ ...noLoss(3_000), chunksDone: report.chunks });
    expect(report.chunksByHost.w7).toBeGreaterThan(0);
    expect(report.chunksByHost.w6).toBeGreaterThan(0);
  });
});
