/**
 * What a simulation thread pays to check a chunk's parameters, against simulating it: a chunk of 1,000
 * two-patient points (a sampled design) arrives as structured clones of one base with two values changed.
 * Per round, alternated: every clone checked whole (resolveParamsV2, what ensureValidParamsV2 did for a
 * clone before), by its differences from the last one checked (ensureValidParamsV2 now), and the points
 * simulated. `pnpm bench:segment-params` in packages/sim; BENCH_ROUNDS (default 7); BENCH_MODEL=lf-tid@1
 * for v1 (resolveParams, ensureValidParams).
 */
import os from 'node:os';
import { simulateCohort } from '../src/index.js';
import { ensureValidParams, type ModelParams, resolveParams } from '../src/params.js';
import { ensureValidParamsV2, type ModelParamsV2, resolveParamsV2 } from '../src/params-v2.js';

const model = process.env.BENCH_MODEL === 'lf-tid@1' ? 'lf-tid@1' : 'lf-tid@2';
type Params = ModelParams | ModelParamsV2;
const [resolveWhole, ensureValid] = (
  model === 'lf-tid@1' ? [resolveParams, ensureValidParams] : [resolveParamsV2, ensureValidParamsV2]
) as [(p: Params) => Params, (p: Params) => Params];

const rounds = Number(process.env.BENCH_ROUNDS ?? 7);
const points = 1_000;
const base = resolveWhole({} as Params);
/** A fresh chunk of clones each time: the checks cache by object. */
const chunk = (round: number) =>
  Array.from(
    { length: points },
    (_, i) =>
      structuredClone({
        ...base,
        dose: (round * points + i) / 1e5,
        immuneKill: 0.01 + i / 1e5,
      }) as Params,
  );

function ms(run: () => void): number {
  const start = performance.now();
  run();
  return performance.now() - start;
}

const whole: number[] = [];
const differences: number[] = [];
const simulate: number[] = [];
for (let round = -1; round < rounds; round++) {
  const a = chunk(round + 1);
  const b = chunk(round + 1);
  const w = ms(() => {
    for (const p of a) resolveWhole(p);
  });
  let valid: Params[] = [];
  const d = ms(() => {
    valid = b.map((p) => ensureValid(p));
  });
  const s = ms(() => {
    valid.forEach((p, i) => {
      simulateCohort(model, p as ModelParamsV2 & ModelParams, 1, 2 * i, 2);
    });
  });
  if (round < 0) continue; // warm-up
  whole.push(w);
  differences.push(d);
  simulate.push(s);
}
const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[xs.length >> 1]!;
const [w, d, s] = [median(whole), median(differences), median(simulate)];
console.log(
  `${model}; machine: ${os.cpus()[0]?.model}; load ${os.loadavg()[0]!.toFixed(2)}; ${rounds} rounds, medians`,
);
console.log(
  `per chunk of ${points} two-patient points: checked whole ${w.toFixed(1)} ms, by differences ${d.toFixed(1)} ms, simulated ${s.toFixed(0)} ms`,
);
console.log(
  `the check's share of simulating: ${((100 * w) / s).toFixed(2)} % → ${((100 * d) / s).toFixed(2)} %`,
);
