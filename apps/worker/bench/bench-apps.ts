/** What the worker benchmarks share: starting the apps as the stack does, and running a sweep over HTTP. */
import { constants } from 'node:os';
import { kernelNodeFlags, missingKernelNodeFlags } from '@frontline/sim';
import { type ManagedProcess, startApp, workerEntry } from '@frontline/stack';
import type pg from 'pg';

/** Start the API or a worker process (as the stack does) and wait for its `ready` log line. */
export async function startReadyApp(
  entry: string,
  env: Record<string, string>,
  ready: RegExp,
  nodeFlags: string[] = [],
): Promise<ManagedProcess> {
  let markReady = () => {};
  const isReady = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  const app = await startApp({
    name: entry,
    entry,
    nodeFlags,
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

export interface EndedSweep {
  id: string;
  status: string;
  progress: { done: number; total: number };
  /** The POST alone, to its 202. */
  submitSeconds: number;
  /** From just before the POST to the sweep's `finishedAt` (the server's clock: the same machine's). */
  seconds: number;
}

/**
 * Submit a sweep and poll it until it ends, every second as `frontline watch` does: a faster poll costs the
 * coordinator CPU that no client spends (every 100 ms: ~2.5 CPU-s of a 90-s run, 1.5 % of the machine), and
 * the run's end is read from the sweep's `finishedAt`, not from when a poll saw it.
 */
export function sweepRunner(apiUrl: string, auth: Record<string, string>, pollMs = 1_000) {
  return async (body: object): Promise<EndedSweep> => {
    const submittedAt = Date.now();
    const posted = performance.now();
    const response = await fetch(`${apiUrl}/v1/sweeps`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth },
      body: JSON.stringify(body),
    });
    const created = (await response.json()) as { id: string };
    if (response.status !== 202) throw new Error(`submit: ${response.status} ${JSON.stringify(created)}`);
    const submitSeconds = (performance.now() - posted) / 1000;
    let status: Omit<EndedSweep, 'submitSeconds' | 'seconds'> & { finishedAt: string | null };
    do {
      await new Promise((r) => setTimeout(r, pollMs));
      const poll = await fetch(`${apiUrl}/v1/sweeps/${created.id}`, { headers: auth });
      status = (await poll.json()) as typeof status;
    } while (status.status === 'queued' || status.status === 'running');
    const seconds = (Date.parse(status.finishedAt ?? new Date().toISOString()) - submittedAt) / 1000;
    return { ...status, id: created.id, submitSeconds, seconds };
  };
}

/**
 * BENCH_STATEMENTS=1: the benches start Postgres with pg_stat_statements (planning tracked too), and print
 * after a run the statements it spent most time on (execution + planning), then reset the counts.
 */
export const statementsSettings = {
  shared_preload_libraries: 'pg_stat_statements',
  'pg_stat_statements.track': 'all',
  'pg_stat_statements.track_planning': 'on',
};

/** Start counting afresh (after a warm-up). */
export async function resetStatements(owner: pg.Pool): Promise<void> {
  await owner.query('create extension if not exists pg_stat_statements');
  await owner.query('select pg_stat_statements_reset()');
}

export async function printTopStatements(owner: pg.Pool, top = 12): Promise<void> {
  await owner.query('create extension if not exists pg_stat_statements');
  const { rows } = await owner.query<{
    exec: number;
    plan: number;
    calls: string;
    rows: string;
    query: string;
  }>(
    `select round(total_exec_time)::float8 as exec, round(total_plan_time)::float8 as plan, calls, rows,
            regexp_replace(left(query, 110), '\\s+', ' ', 'g') as query
     from pg_stat_statements order by total_exec_time + total_plan_time desc limit ${top}`,
  );
  await owner.query('select pg_stat_statements_reset()');
  for (const r of rows)
    console.log(
      `    ${String(r.exec).padStart(7)} ms + plan ${String(r.plan).padStart(5)} ms ${String(r.calls).padStart(7)} calls ${String(r.rows).padStart(8)} rows  ${r.query}`,
    );
}

/**
 * A worker process as deployed, with the workers' V8 flags (kernelNodeFlags; `nodeFlags` after them),
 * `threads` simulation threads and no metrics port, once it says it is ready.
 */
export function startReadyWorker(
  env: Record<string, string>,
  threads: number,
  nodeFlags: readonly string[] = [],
): Promise<ManagedProcess> {
  return startReadyApp(
    workerEntry,
    { ...env, WORKER_THREADS: String(threads), WORKER_PORT: '-1' },
    /worker ready/,
    [...kernelNodeFlags, ...nodeFlags],
  );
}

/**
 * The workers' V8 flags (kernelNodeFlags) on this process too, or exit with the command to run: a bench
 * that times the kernel in this process compares it with workers started as deployed, with those flags.
 */
export function requireWorkerFlags(script: string): void {
  if (missingKernelNodeFlags().length === 0) return;
  console.error(
    `run with the workers' V8 flags: node ${kernelNodeFlags.join(' ')} --conditions=@frontline/source --import tsx ${script} (or its pnpm script)`,
  );
  process.exit(2);
}

/**
 * `stop` (what a bench's `finally` does) run also when the bench is interrupted (Ctrl-C, `timeout`): a signal
 * ends the process without its `finally`, and the apps and servers a bench starts run in process groups of
 * their own, so they outlive it. Returns `stop` made idempotent, for the `finally` to call.
 */
export function stoppedOnSignal(stop: () => Promise<void>): () => Promise<void> {
  let stopping: Promise<void> | undefined;
  const once = () => {
    stopping ??= stop();
    return stopping;
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => {
      void once().finally(() => process.exit(128 + constants.signals[signal]));
    });
  return once;
}

/** BENCH_PROFILE=<dir>: the API and worker processes a bench starts write V8 CPU profiles there when they stop. */
export const profileFlags = process.env.BENCH_PROFILE
  ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`]
  : [];

/**
 * The benches' two shapes: few large points (a 36-point grid) or many small ones (2 patients a point, the
 * sensitivity study's shape; BENCH_SMALL_PATIENTS sets another size, to find where per-point costs stop showing).
 */
export type BenchShape = 'large' | 'small';

const smallPatients = Number(process.env.BENCH_SMALL_PATIENTS ?? 2);
if (!Number.isInteger(smallPatients) || smallPatients < 1)
  throw new Error(`BENCH_SMALL_PATIENTS must be a whole number ≥ 1, got ${process.env.BENCH_SMALL_PATIENTS}`);

/** Points of a sweep of about `simulations` in all, of a shape (whole points). */
export const benchShapePoints = (shape: BenchShape, simulations: number) =>
  shape === 'large' ? 36 : Math.ceil(simulations / smallPatients);

/**
 * A sweep of a shape at about `simulations` in all. `seed` is its cohort seed and, for the small shape (a
 * Latin hypercube), its design seed: every run stores new points, as a new study does (a repeated design
 * would find its points stored and skip their insert).
 */
export function benchShapeSpec(
  shape: BenchShape,
  options: {
    name: string;
    seed: number;
    simulations: number;
    outcomes: 'summary' | 'full';
    chunkSize?: number | undefined;
    model?: string | undefined;
  },
) {
  const { name, seed, simulations, outcomes, chunkSize, model } = options;
  const points = benchShapePoints(shape, simulations);
  return {
    name,
    ...(model ? { model } : {}),
    outcomes,
    design:
      shape === 'large'
        ? {
            kind: 'grid',
            axes: { dose: [0, 1, 2, 5], immuneKill: [0.01, 0.035, 0.1], emtPlasticity: [0.1, 1, 10] },
          }
        : {
            kind: 'lhs',
            samples: points,
            seed,
            axes: { dose: { min: 0, max: 10 }, immuneKill: { min: 0.01, max: 0.2 } },
          },
    cohort: {
      patients: shape === 'large' ? Math.ceil(simulations / points) : smallPatients,
      seed,
      chunkSize,
    },
  };
}
