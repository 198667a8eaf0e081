/**
 * Kernel speed against the C reference (/work/shared/instruments/lftid_ref.c), measured in one run on
 * one core, alternating C and TypeScript so that drift in the machine's load hits both alike.
 *
 *   taskset -c 0 pnpm bench:versus-c     (node with the workers' V8 flags, kernelNodeFlags)
 *
 * The C file is compiled with `gcc -O2` into a temporary directory at bench time (no binary is
 * committed); LFTID_REF overrides its path. Each round: C runs N patients (its own timer, its own
 * seeds 1..N), then the TS v1 kernel N patients, then the TS v2 kernel N patients at its defaults,
 * both in this process, which runs with the workers' V8 flags as the workers do; then the TS v1
 * kernel again in a warm child process started without them ("v1 untuned"), so the flags' gain is
 * measured in the same run.
 * Reported, in wall time and in CPU time (C: its children's time from bash's `times`; TS: this
 * process's `cpuUsage`, which is not inflated by other jobs sharing the core): per-round ms/patient,
 * medians, and the ratios TS v1 / C and v2 / v1 (medians of the per-round ratios).
 * Options: BENCH_ROUNDS (default 11), BENCH_PATIENTS (default 2000).
 */
import { type ChildProcess, execFileSync, fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  kernelNodeFlags,
  missingKernelNodeFlags,
  resolveModelParams,
  resolveParams,
  simulateModelPatient,
  simulatePatient,
} from '../src/index.js';

if (missingKernelNodeFlags().length > 0) {
  console.error(`run with the workers' V8 flags: node ${kernelNodeFlags.join(' ')} … (pnpm bench:versus-c)`);
  process.exit(2);
}

const rounds = Number(process.env.BENCH_ROUNDS ?? 11);
const n = Number(process.env.BENCH_PATIENTS ?? 2000);
const source = process.env.LFTID_REF ?? '/work/shared/instruments/lftid_ref.c';

const dir = mkdtempSync(path.join(os.tmpdir(), 'lftid-ref-'));
const binary = path.join(dir, 'lftid_ref');
execFileSync('gcc', ['-O2', '-o', binary, source, '-lm']);

/** One C run: [wall ms/patient by its own clock, CPU (user + system) ms/patient from bash's `times`]. */
function runC(): [number, number] {
  const out = execFileSync('bash', ['-c', '"$0" "$1"; times', binary, String(n)], { encoding: 'utf8' });
  const m = /ms\/patient=([0-9.]+)/.exec(out);
  // `times` prints the shell's, then its children's user and system time, e.g. "0m0.812s 0m0.004s".
  const t = [...out.matchAll(/(\d+)m([0-9.]+)s/g)].map((x) => Number(x[1]) * 60 + Number(x[2]));
  if (!m || t.length < 4) throw new Error(`unexpected output of lftid_ref: ${out}`);
  return [Number(m[1]), ((t[2]! + t[3]!) * 1e3) / n];
}

type Kernel = (i: number) => number;
const v1Params = resolveParams({});
const v2Params = resolveModelParams('lf-tid@2', {});
const kernels: Record<string, Kernel> = {
  v1: (i) => simulatePatient(v1Params, { cohortSeed: 1, patientIndex: i }).osDays,
  v2: (i) => simulateModelPatient('lf-tid@2', v2Params, { cohortSeed: 1, patientIndex: i }).osDays,
};

/** One TS run: [wall ms/patient, CPU (user + system) ms/patient of this process]. */
function runTs(kernel: Kernel): [number, number] {
  let sink = 0;
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) sink += kernel(i);
  const t1 = process.hrtime.bigint();
  const c = process.cpuUsage(c0);
  if (!Number.isFinite(sink)) throw new Error('non-finite outcome');
  return [Number(t1 - t0) / 1e6 / n, (c.user + c.system) / 1e3 / n];
}

/** The v1 kernel in a warm child process without the V8 flags. */
const untuned: ChildProcess = fork(new URL('./untuned-v1.ts', import.meta.url), {
  execArgv: ['--conditions=@frontline/source', '--import', 'tsx'],
});
function runUntuned(): Promise<[number, number]> {
  return new Promise((resolve) => {
    untuned.once('message', (m) => resolve(m as [number, number]));
    untuned.send(n);
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

type Row = { c: number; ts: Record<string, number> };

function show(row: Row): string {
  const ts = Object.entries(row.ts).map(([name, v]) => `TS ${name} ${v.toFixed(4)}`);
  return [`C ${row.c.toFixed(4)}`, ...ts].join('; ');
}

try {
  for (const k of Object.values(kernels)) runTs(k); // warm-up (JIT)
  await runUntuned();
  runC();
  const wall: Row[] = [];
  const cpu: Row[] = [];
  for (let r = 0; r < rounds; r++) {
    const [cWall, cCpu] = runC();
    const w: Row = { c: cWall, ts: {} };
    const u: Row = { c: cCpu, ts: {} };
    for (const [name, k] of Object.entries(kernels)) [w.ts[name], u.ts[name]] = runTs(k);
    [w.ts['v1 untuned'], u.ts['v1 untuned']] = await runUntuned();
    wall.push(w);
    cpu.push(u);
    console.log(`round ${r + 1}, ms/patient — wall: ${show(w)} | CPU: ${show(u)}`);
  }
  let affinity = 'affinity unknown';
  try {
    affinity = execFileSync('taskset', ['-cp', String(process.pid)], { encoding: 'utf8' }).trim();
  } catch {}
  console.log(
    `machine: ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} logical cores; node ${process.version}; ` +
      `gcc -O2; ${affinity}; load avg ${os.loadavg()[0]!.toFixed(2)}; ${rounds} rounds × ${n} patients`,
  );
  for (const [label, rows] of [
    ['wall', wall],
    ['CPU', cpu],
  ] as const) {
    const medians = { c: median(rows.map((x) => x.c)), ts: {} as Record<string, number> };
    for (const name of Object.keys(rows[0]!.ts)) medians.ts[name] = median(rows.map((x) => x.ts[name]!));
    console.log(`${label}: medians, ms/patient: ${show(medians)}`);
    console.log(
      `${label}: ratio TS v1 / C ${median(rows.map((x) => x.ts.v1! / x.c)).toFixed(3)}; ` +
        `TS v2 / TS v1 ${median(rows.map((x) => x.ts.v2! / x.ts.v1!)).toFixed(3)}; ` +
        `TS v1 untuned / C ${median(rows.map((x) => x.ts['v1 untuned']! / x.c)).toFixed(3)}; ` +
        `TS v1 / TS v1 untuned ${median(rows.map((x) => x.ts.v1! / x.ts['v1 untuned']!)).toFixed(3)} ` +
        '(medians of per-round ratios)',
    );
  }
} finally {
  untuned.kill();
  rmSync(dir, { recursive: true, force: true });
}
