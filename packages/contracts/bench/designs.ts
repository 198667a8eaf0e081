/**
 * Generating a sampled design: designAxisValues for the largest designs a sweep may have (maxPoints 10⁵),
 * as the API does in one synchronous step before a submission's or a dry run's reply — so it is time in
 * which that API answers no other request. Each design a warm-up and BENCH_RUNS (default 9) timed runs; the
 * median and range are reported. `pnpm --filter @frontline/contracts bench` (part of `pnpm bench`).
 */
import { cpus, loadavg } from 'node:os';
import { designAxisValues } from '../src/index.js';
import type { SweepSpec } from '../src/spec.js';

const runs = Number(process.env.BENCH_RUNS ?? 9);
const linear = (min: number, max: number) => ({ min, max, scale: 'linear' as const });
const threeAxes = {
  dose: linear(0, 10),
  immuneKill: { min: 0.01, max: 0.2, scale: 'log' as const },
  emtPlasticity: linear(0.1, 10),
};
const sixAxes = {
  ...threeAxes,
  growthRate: linear(0.001, 0.01),
  diagnosisCells: linear(1e9, 1e10),
  eliminationRate: linear(0.1, 1),
};
const designs: Record<string, SweepSpec['design']> = {
  'LHS 100,000 × 3 axes': { kind: 'lhs', samples: 100_000, seed: 7, axes: threeAxes },
  'Sobol 65,536 × 3 axes': { kind: 'sobol', samples: 65_536, seed: 7, axes: threeAxes },
  'Saltelli 12,000 × 6 axes (96,000 points)': { kind: 'saltelli', samples: 12_000, seed: 7, axes: sixAxes },
};

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
console.log(
  `machine: ${cpus()[0]?.model} × ${cpus().length}; load ${loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')}`,
);
for (const [name, design] of Object.entries(designs)) {
  let points = designAxisValues({ design }).length; // warm-up (JIT)
  const ms: number[] = [];
  for (let run = 0; run < runs; run++) {
    const start = performance.now();
    points = designAxisValues({ design }).length;
    ms.push(performance.now() - start);
  }
  console.log(
    `${name}: ${points} points, median ${median(ms).toFixed(1)} ms (${Math.min(...ms).toFixed(1)}–${Math.max(...ms).toFixed(1)}) over ${runs} runs`,
  );
}
