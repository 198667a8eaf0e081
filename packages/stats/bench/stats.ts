/**
 * Benchmark: Kaplan–Meier + median + RMST for 10⁶ raw observations (exponential times, mean 365 d, rounded
 * to 0.25 d so there are ties, ~30% censored), and from pre-aggregated counts at several sizes to show the
 * cost is linear in the number of distinct times; plus a two-arm log-rank test on 10⁶ raw observations, and a
 * survival request's stratified tests (10 groups × 10 strata × 2,920 grid steps).
 * Reports the median of 7 timed runs after 2 warm-ups.
 *   pnpm --filter @frontline/stats bench
 */
import os from 'node:os';
import {
  type AggregatedSurvivalInput,
  kaplanMeier,
  logRank,
  logRankByStratum,
  medianSurvival,
  rmst,
  type SurvivalInput,
  stratifiedCounts,
} from '@frontline/stats';

const WARMUP = 2;
const RUNS = 7;

/** mulberry32: a small seeded generator so every run benchmarks the same data. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function rawCohort(n: number, seed: number): { time: Float64Array; event: boolean[] } {
  const next = random(seed);
  const time = new Float64Array(n);
  const event = new Array<boolean>(n);
  for (let i = 0; i < n; i++) {
    time[i] = Math.round((-Math.log(1 - next()) * 365) / 0.25) * 0.25;
    event[i] = next() >= 0.3;
  }
  return { time, event };
}

/** What the database's GROUP BY time would send. */
function aggregate(cohort: { time: Float64Array; event: boolean[] }): AggregatedSurvivalInput {
  const counts = new Map<number, [number, number]>();
  cohort.time.forEach((t, i) => {
    const entry = counts.get(t) ?? [0, 0];
    entry[cohort.event[i] ? 0 : 1]++;
    counts.set(t, entry);
  });
  const time = [...counts.keys()].sort((a, b) => a - b);
  return {
    time,
    nEvent: time.map((t) => counts.get(t)![0]),
    nCensor: time.map((t) => counts.get(t)![1]),
  };
}

/** Distinct-time counts with `rows` distinct times (≈ 2 subjects per time). */
function aggregatedOfSize(rows: number, seed: number): AggregatedSurvivalInput {
  const next = random(seed);
  const time = new Array<number>(rows);
  const nEvent = new Array<number>(rows);
  const nCensor = new Array<number>(rows);
  for (let i = 0; i < rows; i++) {
    time[i] = (i + 1) * 0.25;
    nEvent[i] = Math.floor(next() * 3);
    nCensor[i] = next() < 0.3 ? 1 : 0;
  }
  return { time, nEvent, nCensor };
}

function summarise(input: SurvivalInput, tau: number): number {
  const curve = kaplanMeier(input);
  const median = medianSurvival(curve);
  const restricted = rmst(curve, tau);
  return curve.time.length + (median.median ?? 0) + restricted.rmst; // keep the work observable
}

function medianMs(task: () => unknown): number {
  for (let i = 0; i < WARMUP; i++) task();
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    task();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(RUNS / 2)]!;
}

const cohort = rawCohort(1_000_000, 20240611);
const counts = aggregate(cohort);
const curve = kaplanMeier(cohort);
const rawMs = medianMs(() => summarise(cohort, 730));
const aggregatedMs = medianMs(() => summarise(counts, 730));

console.log(
  `machine: ${os.cpus()[0]?.model ?? 'unknown'} (${os.cpus().length} cores), node ${process.version}`,
);
console.log(
  `data: 10^6 subjects, ${curve.events} events (${((1 - curve.events / curve.n) * 100).toFixed(1)}% censored), ` +
    `${counts.time.length} distinct times, ${curve.time.length} event times`,
);
console.log(`KM + median + RMST, 10^6 raw observations:          ${rawMs.toFixed(1)} ms (median of ${RUNS})`);
console.log(
  `KM + median + RMST, same data pre-aggregated:       ${aggregatedMs.toFixed(2)} ms (median of ${RUNS})`,
);
const arms = [rawCohort(500_000, 1), rawCohort(500_000, 2)];
const logRankMs = medianMs(() => logRank(arms));
console.log(
  `log-rank, 2 arms × 5·10^5 raw observations:          ${logRankMs.toFixed(1)} ms (median of ${RUNS})`,
);
for (const rows of [10_000, 100_000, 1_000_000]) {
  const input = aggregatedOfSize(rows, rows);
  const ms = medianMs(() => summarise(input, rows * 0.25));
  console.log(
    `KM + median + RMST, ${rows.toLocaleString('en')} distinct times pre-aggregated: ${ms.toFixed(2)} ms ` +
      `(${((ms / rows) * 1e6).toFixed(0)} ns per time)`,
  );
}

// A survival request's tests (apps/api, groupBy=dose and groupBy=immuneKill on a 10 × 10 design): each
// group's strata of 2,920 grid steps, the 10-group test and the 9 two-group tests against the first,
// alternated as a statistics thread runs them from one request to the next. 20 warm-ups: the JIT settles.
const requestTable = (seed: number): AggregatedSurvivalInput => {
  const steps = 2920;
  const time = new Float64Array(steps);
  const nEvent = new Int32Array(steps);
  const nCensor = new Int32Array(steps);
  for (let g = 1; g <= steps; g++) {
    time[g - 1] = g * 0.25;
    nEvent[g - 1] = 2 + ((g * 7 + seed) % 3);
    nCensor[g - 1] = g === steps ? 1_500 : g % 5 === 0 ? 1 : 0;
  }
  return { time, nEvent, nCensor };
};
const strata = Array.from({ length: 10 }, (_, g) =>
  stratifiedCounts(Array.from({ length: 10 }, (_, s) => ({ stratum: s, counts: requestTable(g * 10 + s) }))),
);
const allGroups = () => logRankByStratum(strata);
const againstFirst = () => {
  for (let g = 1; g < 10; g++) logRankByStratum([strata[0]!, strata[g]!]);
};
for (let i = 0; i < 20; i++) {
  allGroups();
  againstFirst();
}
const requestTimes = { all: [] as number[], pairs: [] as number[] };
for (let i = 0; i < RUNS; i++) {
  let start = performance.now();
  allGroups();
  requestTimes.all.push(performance.now() - start);
  start = performance.now();
  againstFirst();
  requestTimes.pairs.push(performance.now() - start);
}
const middle = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(
  `stratified log-rank, 10 groups × 10 strata × 2,920 steps: all at once ${middle(requestTimes.all).toFixed(1)} ms, ` +
    `9 against the first ${middle(requestTimes.pairs).toFixed(1)} ms (medians of ${RUNS}, alternated)`,
);
