/**
 * Kernel benchmark: patients per second on one core at the default parameters.
 * `pnpm bench` (in packages/sim). Options: BENCH_RUNS (default 7), BENCH_PATIENTS (default 2000),
 * BENCH_OVERRIDES (JSON object of parameter overrides, default {}).
 * Each run simulates BENCH_PATIENTS consecutive patients of cohort 1 after a warm-up run;
 * the median over runs is reported.
 */
import os from 'node:os';
import { resolveParams, simulatePatient } from '../src/index.js';

const runs = Number(process.env.BENCH_RUNS ?? 7);
const n = Number(process.env.BENCH_PATIENTS ?? 2000);
const overrides = JSON.parse(process.env.BENCH_OVERRIDES ?? '{}') as Record<string, unknown>;
const params = resolveParams(overrides);

/** One run: [wall ms/patient, CPU (user + system) ms/patient of this thread's process]. */
function run(offset: number): [number, number] {
  let sink = 0;
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++)
    sink += simulatePatient(params, { cohortSeed: 1, patientIndex: offset + i }).osDays;
  const t1 = process.hrtime.bigint();
  const c1 = process.cpuUsage(c0);
  if (!Number.isFinite(sink)) throw new Error('non-finite outcome');
  return [Number(t1 - t0) / 1e6 / n, (c1.user + c1.system) / 1e3 / n];
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

run(0); // warm-up (JIT)
const wall: number[] = [];
const cpu: number[] = [];
for (let r = 0; r < runs; r++) {
  const [w, c] = run(0);
  wall.push(w);
  cpu.push(c);
}
const mWall = median(wall);
const mCpu = median(cpu);
const load = os.loadavg()[0]!.toFixed(2);
const cpuModel = os.cpus()[0]?.model ?? 'unknown CPU';
const extra = Object.keys(overrides).length ? ` + ${JSON.stringify(overrides)}` : '';
console.log(`@frontline/sim kernel benchmark (lf-tid@1, defaults${extra})`);
console.log(
  `machine: ${cpuModel}, ${os.cpus().length} logical cores; node ${process.version}; single thread; load avg ${load}`,
);
console.log(`runs: ${runs} × ${n} patients (cohortSeed 1, patients 0..${n - 1}), after one warm-up run`);
console.log(`wall ms/patient per run: ${wall.map((x) => x.toFixed(4)).join(', ')}`);
console.log(`CPU  ms/patient per run: ${cpu.map((x) => x.toFixed(4)).join(', ')}`);
console.log(`median wall: ${mWall.toFixed(4)} ms/patient = ${Math.round(1000 / mWall)} patients/s`);
console.log(`median CPU:  ${mCpu.toFixed(4)} ms/patient = ${Math.round(1000 / mCpu)} patients/s`);
