import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Harness, startHarness, sweepOutcomes } from '@frontline/api/test-harness';
import { projectRoot } from '@frontline/stack';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type SlurmCluster, startSlurmCluster, waitFor } from './support/slurm-cluster.js';

// End to end on a one-node SLURM cluster: workers started by `sbatch infra/slurm/frontline-workers.sbatch`
// (a job array, threads from SLURM_CPUS_PER_TASK) complete a sweep submitted to the API, then
// `scancel` stops them mid-sweep: they finish their running chunks and exit, and no chunk is lost.
const sbatchScript = join(projectRoot, 'infra', 'slurm', 'frontline-workers.sbatch');
const arrayTasks = 2;

function gridSpec(seed: number, patients: number, chunkSize: number, horizonDays: number) {
  return {
    name: `slurm ${seed}`,
    model: 'lf-tid@1',
    design: { kind: 'grid', axes: { dose: [0, 2], immuneKill: [0.035, 0.1] } },
    cohort: { patients, seed, chunkSize },
    params: { horizonDays },
  };
}

/** What each array task's worker logged: its `worker ready` line (host:pid, threads) and shutdown. */
function workerLogs(dir: string, jobId: string) {
  return Array.from({ length: arrayTasks }, (_, task) => {
    const file = join(dir, `frontline-worker-${jobId}_${task}.log`);
    const lines = existsSync(file) ? readFileSync(file, 'utf8').split('\n') : [];
    const records = lines
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    return {
      banner: lines[0] ?? '',
      ready: records.find((r) => r.msg === 'worker ready') as
        | { workerHost: string; threads: number }
        | undefined,
      messages: records.map((r) => String(r.msg)),
    };
  });
}

describe('SLURM: sbatch job-array workers on a one-node cluster', () => {
  let cluster: SlurmCluster;
  let harness: Harness;
  let jobId: string;
  let slurmWorkers: string[];

  beforeAll(async () => {
    cluster = await startSlurmCluster();
    harness = await startHarness();
    jobId = cluster.slurm(
      'sbatch',
      [
        '--parsable',
        `--array=0-${arrayTasks - 1}`,
        '--cpus-per-task=1',
        '--mem-per-cpu=256M',
        '--time=20',
        `--chdir=${projectRoot}`,
        `--output=${cluster.dir}/frontline-worker-%A_%a.log`,
        sbatchScript,
      ],
      {
        // What a user exports before sbatch (the default --export=ALL carries it to the job).
        DATABASE_URL: inject('appDatabaseUrl'),
        REDIS_URL: inject('redisUrl'),
        QUEUE_PREFIX: harness.queuePrefix,
        JOB_LOCK_MS: '4000',
      },
    );
    await waitFor('both array tasks to log "worker ready"', () =>
      workerLogs(cluster.dir, jobId).every((w) => w.ready !== undefined),
    );
    slurmWorkers = workerLogs(cluster.dir, jobId).map((w) => w.ready?.workerHost as string);
  });
  afterAll(async () => {
    if (cluster && jobId && cluster.queuedJobs().length > 0) cluster.slurm('scancel', [jobId]);
    await harness?.stop();
    await cluster?.stop();
  });

  it('starts one worker per array task, threads from SLURM_CPUS_PER_TASK', () => {
    const logs = workerLogs(cluster.dir, jobId);
    expect(logs.map((w) => w.banner)).toEqual([
      `frontline worker: job ${jobId}_0 on ${cluster.node}, 1 threads`,
      `frontline worker: job ${jobId}_1 on ${cluster.node}, 1 threads`,
    ]);
    expect(logs.map((w) => w.ready?.threads)).toEqual([1, 1]);
    expect(new Set(slurmWorkers).size).toBe(2);
    expect(cluster.queuedJobs().sort()).toEqual([`${jobId}_0 RUNNING`, `${jobId}_1 RUNNING`]);
  });

  it('a sweep submitted to the API is completed by the workers sbatch started', async () => {
    const created = await harness.submit(gridSpec(4101, 60, 10, 180));
    const done = await harness.waitForSweep(created.id, (s) => s.status === 'completed');
    expect(done.progress).toEqual({ done: 240, total: 240, failed: 0, reused: 0 });
    const rows = await sweepOutcomes(harness, created.id);
    expect(new Set(rows.map((r) => `${r.point_index}:${r.patient_index}`)).size).toBe(240);
    expect(rows).toHaveLength(240);
    // Provenance names the SLURM workers, and only them: 24 chunks between the two.
    const workers = (done as unknown as { workers: { host: string; chunks: number }[] }).workers;
    expect(workers.map((w) => w.host).sort()).toEqual([...slurmWorkers].sort());
    expect(workers.reduce((sum, w) => sum + w.chunks, 0)).toBe(24);
  });

  it('scancel mid-sweep: the workers finish their running chunks and exit; no chunk is lost', async () => {
    const patients = 600;
    const created = await harness.submit(gridSpec(4102, patients, 20, 720));
    const total = 4 * patients;
    await harness.waitForSweep(created.id, (s) => s.progress.done >= 100);
    cluster.slurm('scancel', [jobId]);
    await waitFor('the array job to leave the queue', () => cluster.queuedJobs().length === 0, 120_000);
    for (const log of workerLogs(cluster.dir, jobId)) {
      expect(log.messages).toContain('shutting down');
      expect(log.messages).toContain('closed'); // the BullMQ worker closed after its running chunks
      expect(log.messages).not.toContain('shutdown deadline passed: exiting');
    }
    const { rows: byStatus } = await harness.pool.query<{ status: string; n: number }>(
      `select status, count(*)::int as n from chunks where sweep_id = $1 group by status order by status`,
      [created.id],
    );
    const doneBySlurm = byStatus.find((r) => r.status === 'done')?.n ?? 0;
    expect(doneBySlurm).toBeGreaterThan(0);
    // Chunks are pending or done, never half-written; the SLURM workers left some for the next worker.
    expect(byStatus.map((r) => r.status)).toEqual(['done', 'pending']);

    // The chunks left are still queued: a worker started afterwards finishes the sweep.
    const finisher = await harness.startWorker(2);
    const done = await harness.waitForSweep(created.id, (s) => s.status === 'completed');
    expect(done.progress).toEqual({ done: total, total, failed: 0, reused: 0 });
    const rows = await sweepOutcomes(harness, created.id);
    expect(rows).toHaveLength(total);
    expect(new Set(rows.map((r) => `${r.point_index}:${r.patient_index}`)).size).toBe(total);
    const { rows: chunks } = await harness.pool.query<{ worker_host: string; n: number }>(
      'select worker_host, count(*)::int as n from chunks where sweep_id = $1 group by worker_host',
      [created.id],
    );
    const hosts = new Set(chunks.map((c) => c.worker_host));
    expect([...hosts].every((h) => slurmWorkers.includes(h) || h.endsWith(`:${finisher.pid}`))).toBe(true);
    expect(chunks.reduce((sum, c) => sum + c.n, 0)).toBe(total / 20);
    await harness.stopWorkers();
    console.log(
      `[slurm] job ${jobId}: ${doneBySlurm} of ${total / 20} chunks done by SLURM workers before scancel, rest by ${finisher.pid}`,
    );
  });

  it("drains on SLURM's pre-timeout signal and ends before its time limit", async () => {
    // 200,000 patients: far more than one thread runs in the ~10 s before the TERM (~0.2 ms a patient on
    // a fast core), so work is left over whatever the machine; the rest is cancelled below.
    const created = await harness.submit(gridSpec(4103, 50_000, 20, 720));
    const limited = cluster.slurm(
      'sbatch',
      [
        '--parsable',
        '--array=0',
        '--cpus-per-task=1',
        '--mem-per-cpu=256M',
        // TERM 50 s before the limit. The limit is cut to one minute once the worker is ready (below),
        // so the TERM finds it working however long a loaded machine takes to start it.
        '--time=10',
        '--signal=B:TERM@50',
        `--chdir=${projectRoot}`,
        `--output=${cluster.dir}/frontline-worker-%A_%a.log`,
        sbatchScript,
      ],
      {
        DATABASE_URL: inject('appDatabaseUrl'),
        REDIS_URL: inject('redisUrl'),
        QUEUE_PREFIX: harness.queuePrefix,
        JOB_LOCK_MS: '4000',
      },
    );
    await waitFor('the time-limited worker to log "worker ready"', () =>
      workerLogs(cluster.dir, limited).some((w) => w.ready !== undefined),
    );
    // A one-minute limit: the TERM is due at 10 s of run time, or at once if the start took longer.
    cluster.slurm('scontrol', ['update', `JobId=${limited}_0`, 'TimeLimit=1']);
    await waitFor(
      'the time-limited job to leave the queue',
      () => cluster.queuedJobs().length === 0,
      150_000,
    );
    const [log] = workerLogs(cluster.dir, limited);
    expect(log?.messages).toEqual(expect.arrayContaining(['worker ready', 'shutting down', 'closed']));
    expect(log?.messages).not.toContain('shutdown deadline passed: exiting');
    // It exited by itself after the drain: COMPLETED with exit code 0, not TIMEOUT.
    const job = cluster.slurm('scontrol', ['show', 'job', `${limited}_0`]);
    expect(job).toMatch(/JobState=COMPLETED /);
    expect(job).toMatch(/ ExitCode=0:0/);
    const { rows } = await harness.pool.query<{ status: string }>(
      'select distinct status from chunks where sweep_id = $1 order by status',
      [created.id],
    );
    expect(rows.map((r) => r.status)).toEqual(['done', 'pending']);
    console.log(
      `[slurm] job ${limited}: ${cluster
        .slurm('scontrol', ['show', 'job', `${limited}_0`])
        .match(/JobState=\S+|RunTime=\S+|TimeLimit=\S+|ExitCode=\S+/g)
        ?.join(' ')}`,
    );
    // The rest of this sweep is not needed here.
    const cancel = await harness.request('POST', `/v1/sweeps/${created.id}/cancel`);
    expect(cancel.body.cancelled).toBe(true);
  });
});
