/**
 * Kernel speed against the C reference (/work/shared/instruments/lftid_ref.c), measured in one run on
 * one core, alternating C and TypeScript so that drift in the machine's load hits both alike.
 *
 *   taskset -c 0 node --conditions=@frontline/source --import tsx bench/versus-c.ts
 *
 * The C file is compiled with `gcc -O2` into a temporary directory at bench time (no binary is
 * committed); LFTID_REF overrides its path. Each round: C runs N patients (its own timer, its own
 * seeds 1..N), then the TS v1 kernel N patients, then the TS v2 kernel N patients at its defaults.
 * Reported: per-round ms/patient, medians, and the ratios TS v1 / C and v2 / v1 (medians of the
 * per-round ratios). Options: BENCH_ROUNDS (default 7), BENCH_PATIENTS (default 2000).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resolveModelParams, resolveParams, simulateModelPatient, simulatePatient } from '../src/index.js';

const rounds = Number(process.env.BENCH_ROUNDS ?? 7);
const n = Number(process.env.BENCH_PATIENTS ?? 2000);
const source = process.env.LFTID_REF ?? '/work/shared/instruments/lftid_ref.c';

const dir = mkdtempSync(path.join(os.tmpdir(), 'lftid-ref-'));
const binary = path.join(dir, 'lftid_ref');
execFileSync('gcc', ['-O2', '-o', binary, source, '-lm']);

function runC(): number {
  const out = execFileSync(binary, [String(n)], { encoding: 'utf8' });
  const m = /ms\/patient=([0-9.]+)/.exec(out);
  if (!m) throw new Error(`unexpected output of lftid_ref: ${out}`);
  return Number(m[1]);
}

type Kernel = (i: number) => number;
const v1Params = resolveParams({});
const v2Params = resolveModelParams('lf-tid@2', {});
const kernels: Record<string, Kernel> = {
  v1: (i) => simulatePatient(v1Params, { cohortSeed: 1, patientIndex: i }).osDays,
  v2: (i) => simulateModelPatient('lf-tid@2', v2Params, { cohortSeed: 1, patientIndex: i }).osDays,
};

function runTs(kernel: Kernel): number {
  let sink = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) sink += kernel(i);
  const t1 = process.hrtime.bigint();
  if (!Number.isFinite(sink)) throw new Error('non-finite outcome');
  return Number(t1 - t0) / 1e6 / n;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

try {
  for (const k of Object.values(kernels)) runTs(k); // warm-up (JIT)
  runC();
  const rows: { c: number; ts: Record<string, number> }[] = [];
  for (let r = 0; r < rounds; r++) {
    const c = runC();
    const ts: Record<string, number> = {};
    for (const [name, k] of Object.entries(kernels)) ts[name] = runTs(k);
    rows.push({ c, ts });
    console.log(
      `round ${r + 1}: C ${c.toFixed(4)} ms/patient; ${Object.entries(ts)
        .map(([name, v]) => `TS ${name} ${v.toFixed(4)}`)
        .join('; ')}`,
    );
  }
  const affinity = (() => {
    try {
      return execFileSync('taskset', ['-cp', String(process.pid)], { encoding: 'utf8' }).trim();
    } catch {
      return 'unknown affinity';
    }
  })();
  console.log(
    `machine: ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} logical cores; node ${process.version}; ` +
      `gcc -O2; ${affinity}; load avg ${os.loadavg()[0]!.toFixed(2)}; ${rounds} rounds × ${n} patients`,
  );
  console.log(`median C: ${median(rows.map((x) => x.c)).toFixed(4)} ms/patient`);
  for (const name of Object.keys(kernels)) {
    console.log(`median TS ${name}: ${median(rows.map((x) => x.ts[name]!)).toFixed(4)} ms/patient`);
  }
  console.log(
    `ratio TS v1 / C (median of per-round ratios): ${median(rows.map((x) => x.ts.v1! / x.c)).toFixed(3)}`,
  );
  if (kernels.v2) {
    console.log(
      `ratio TS v2 / TS v1 (median of per-round ratios): ${median(rows.map((x) => x.ts.v2! / x.ts.v1!)).toFixed(3)}`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
