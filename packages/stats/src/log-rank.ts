/**
 * k-sample log-rank test, as R's `survdiff(Surv(time, status) ~ group)` (G-rho family, rho = 0 by
 * default): observed and expected events per group, the hypergeometric variance matrix (correct with tied
 * event times), and χ² = (O − E)' V⁻ (O − E) over the groups with E > 0, first of them dropped.
 */
import { chiSquareUpperTail } from './gamma.js';
import {
  type AggregatedSurvivalInput,
  isAggregatedInput,
  type SurvivalInput,
  SurvivalInputError,
} from './input.js';
import { generalisedQuadraticForm } from './quadratic-form.js';
import { nearTieHeads, type SurvivalTable, tabulate } from './survival-table.js';

export interface LogRankOptions {
  /** Weight each event time by S(t−)^rho of the pooled Kaplan–Meier; 0 is the log-rank test (default). */
  readonly rho?: number;
  /** Merge times that differ only by floating-point noise, as R's `timefix = TRUE` (default true). */
  readonly timefix?: boolean;
}

/** A group's input with, optionally, the stratum of each row (each subject, or each aggregated row). */
export type StratifiedSurvivalInput = SurvivalInput & { readonly strata?: ArrayLike<string | number> };

export interface LogRankResult {
  readonly chiSq: number;
  /** Rank of the variance matrix of the tested groups: number of groups with E > 0, minus one, normally. */
  readonly df: number;
  /** P(χ²_df > chiSq); 1 when fewer than two groups have events at risk, NaN when there are no events at all. */
  readonly pValue: number;
  readonly observed: number[];
  readonly expected: number[];
  /** Full k × k variance matrix of O − E (R's `survdiff()$var`). */
  readonly variance: number[][];
  /** Subjects per group. */
  readonly n: number[];
}

/** The union of two strictly ascending time lists, strictly ascending. */
function mergeDistinct(a: ArrayLike<number>, b: ArrayLike<number>): Float64Array {
  const out = new Float64Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let n = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    if (x < y) {
      out[n++] = x;
      i++;
    } else if (y < x) {
      out[n++] = y;
      j++;
    } else {
      out[n++] = x;
      i++;
      j++;
    }
  }
  while (i < a.length) out[n++] = a[i++]!;
  while (j < b.length) out[n++] = b[j++]!;
  return out.subarray(0, n);
}

/** All distinct times of all groups, ascending: tables are already sorted, so merge them pairwise (N log k). */
function pooledTimes(tables: readonly SurvivalTable[], from = 0, to = tables.length): ArrayLike<number> {
  if (to - from === 1) return tables[from]!.time;
  const middle = (from + to) >> 1;
  return mergeDistinct(pooledTimes(tables, from, middle), pooledTimes(tables, middle, to));
}

/** Observed, expected and the variance of O − E, summed over the distinct pooled times of the tables. */
function accumulate(
  tables: readonly SurvivalTable[],
  timefix: boolean,
  rho: number,
  sums: { observed: number[]; expected: number[]; variance: number[][] },
): void {
  // One time axis for all groups, with R's near-tie merge applied to the pooled times.
  const heads = timefix ? nearTieHeads(pooledTimes(tables)) : null;
  // Dispatched here, not inside accumulateDistinct: a request's tests alternate between two groups and
  // many, and a k = 2 branch inlined in the k-group loop deoptimised it at every switch (~1.6× slower).
  if (heads !== null) accumulateMerged(tables, heads, rho, sums);
  else if (tables.length === 2) accumulateTwo(tables[0]!, tables[1]!, rho, sums);
  else accumulateDistinct(tables, rho, sums);
}

/** The running sums of accumulate as typed arrays (the arrays they are copied back to hold doubles too). */
interface LocalSums {
  observed: Float64Array;
  expected: Float64Array;
  /** k × k, row-major. */
  variance: Float64Array;
  share: Float64Array;
  pooledSurvival: number;
}

function localSums(sums: { observed: number[]; expected: number[]; variance: number[][] }): LocalSums {
  const k = sums.observed.length;
  const variance = new Float64Array(k * k);
  for (let j = 0; j < k; j++) for (let l = 0; l < k; l++) variance[j * k + l] = sums.variance[j]![l]!;
  return {
    observed: Float64Array.from(sums.observed),
    expected: Float64Array.from(sums.expected),
    variance,
    share: new Float64Array(k),
    pooledSurvival: 1, // left-continuous pooled Kaplan–Meier, for the rho weights
  };
}

function storeSums(
  local: LocalSums,
  sums: { observed: number[]; expected: number[]; variance: number[][] },
): void {
  const k = sums.observed.length;
  for (let g = 0; g < k; g++) {
    sums.observed[g] = local.observed[g]!;
    sums.expected[g] = local.expected[g]!;
    for (let l = 0; l < k; l++) sums.variance[g]![l] = local.variance[g * k + l]!;
  }
}

/**
 * One pooled time's terms: `deaths` per group among `atRisk` per group (d deaths among n at risk). The
 * same operations in the same order whichever way the time axis was walked, so results agree to the bit.
 */
function addTime(
  local: LocalSums,
  k: number,
  deaths: Float64Array,
  atRisk: Float64Array,
  d: number,
  n: number,
  rho: number,
): void {
  if (!(d > 0)) return;
  const { observed, expected, variance, share } = local;
  const weight = rho === 0 ? 1 : local.pooledSurvival ** rho;
  for (let g = 0; g < k; g++) {
    observed[g]! += weight * deaths[g]!;
    expected[g]! += (weight * d * atRisk[g]!) / n;
  }
  if (n > 1) {
    // Hypergeometric covariance of the group death counts given d deaths among n at risk.
    const factor = (weight * weight * d * (n - d)) / (n * (n - 1));
    for (let g = 0; g < k; g++) share[g] = atRisk[g]! / n;
    for (let j = 0; j < k; j++) {
      const r = atRisk[j]!;
      // A group no longer at risk adds +0 to every term of its row: skipped, the sums unchanged.
      if (r === 0) continue;
      const term = factor * r;
      const row = j * k;
      variance[row + j]! += term;
      for (let l = 0; l < k; l++) variance[row + l]! -= term * share[l]!;
    }
  }
  local.pooledSurvival *= (n - d) / n;
}

/**
 * No near ties to merge: walk the groups' tables (distinct times, ascending) together, k cursors, each
 * pooled time once — no pooled time axis, slot map or per-group slot arrays to build (the stratified
 * tests of a survival request call this once per stratum and comparison). Over flat typed arrays only (every
 * group's columns back to back), so V8 keeps one optimised loop for any k (bench:stats, a survival
 * request's 10-group test: 40 → 24 ms from source).
 */
function accumulateDistinct(
  tables: readonly SurvivalTable[],
  rho: number,
  sums: { observed: number[]; expected: number[]; variance: number[][] },
): void {
  const k = tables.length;
  const ends = new Int32Array(k);
  const cursor = new Int32Array(k);
  let total = 0;
  for (let g = 0; g < k; g++) {
    cursor[g] = total;
    total += tables[g]!.time.length;
    ends[g] = total;
  }
  const time = new Float64Array(total);
  const event = new Float64Array(total);
  const censor = new Float64Array(total);
  for (let g = 0; g < k; g++) {
    time.set(tables[g]!.time, cursor[g]!);
    event.set(tables[g]!.nEvent, cursor[g]!);
    censor.set(tables[g]!.nCensor, cursor[g]!);
  }
  const local = localSums(sums);
  const atRisk = Float64Array.from(tables, (table) => table.n);
  walkDistinct(k, { time, event, censor, ends, cursor, atRisk }, rho, local);
  storeSums(local, sums);
}

/**
 * accumulateDistinct's loop, a function of its own with nothing after the loop: V8 optimises the long loop
 * on the fly (on-stack replacement) before anything after it ever ran, and a statement there that needs
 * type feedback (a property store) threw the optimised code away at the end of every call.
 */
function walkDistinct(
  k: number,
  columns: {
    time: Float64Array;
    event: Float64Array;
    censor: Float64Array;
    ends: Int32Array;
    cursor: Int32Array;
    atRisk: Float64Array;
  },
  rho: number,
  local: LocalSums,
): void {
  const { time, event, censor, ends, cursor, atRisk } = columns;
  const deaths = new Float64Array(k);
  const removed = new Float64Array(k);
  for (;;) {
    let t = Number.POSITIVE_INFINITY;
    for (let g = 0; g < k; g++) {
      const i = cursor[g]!;
      if (i < ends[g]! && time[i]! < t) t = time[i]!;
    }
    if (t === Number.POSITIVE_INFINITY) break;
    let d = 0;
    let n = 0;
    for (let g = 0; g < k; g++) {
      const i = cursor[g]!;
      if (i < ends[g]! && time[i] === t) {
        const e = event[i]!;
        deaths[g] = e;
        removed[g] = e + censor[i]!;
        cursor[g] = i + 1;
      } else {
        deaths[g] = 0;
        removed[g] = 0;
      }
      d += deaths[g]!;
      n += atRisk[g]!;
    }
    addTime(local, k, deaths, atRisk, d, n, rho);
    for (let g = 0; g < k; g++) atRisk[g]! -= removed[g]!;
  }
}

/**
 * accumulateDistinct for two groups (a group against its reference: the tests of a survival request with
 * a reference arm), the sums in locals instead of typed arrays — several times faster. Each sum takes the
 * same operations in the same order as addTime's loops with k = 2, so the results are the same doubles.
 */
function accumulateTwo(
  a: SurvivalTable,
  b: SurvivalTable,
  rho: number,
  sums: { observed: number[]; expected: number[]; variance: number[][] },
): void {
  const ta = asFloat64(a.time);
  const ea = asFloat64(a.nEvent);
  const ca = asFloat64(a.nCensor);
  const tb = asFloat64(b.time);
  const eb = asFloat64(b.nEvent);
  const cb = asFloat64(b.nCensor);
  let o0 = sums.observed[0]!;
  let o1 = sums.observed[1]!;
  let e0 = sums.expected[0]!;
  let e1 = sums.expected[1]!;
  let v00 = sums.variance[0]![0]!;
  let v01 = sums.variance[0]![1]!;
  let v10 = sums.variance[1]![0]!;
  let v11 = sums.variance[1]![1]!;
  let r0 = a.n;
  let r1 = b.n;
  let pooledSurvival = 1;
  let i = 0;
  let j = 0;
  while (i < ta.length || j < tb.length) {
    const x = i < ta.length ? ta[i]! : Number.POSITIVE_INFINITY;
    const y = j < tb.length ? tb[j]! : Number.POSITIVE_INFINITY;
    let d0 = 0;
    let d1 = 0;
    let removed0 = 0;
    let removed1 = 0;
    if (x <= y) {
      d0 = ea[i]!;
      removed0 = d0 + ca[i]!;
      i++;
    }
    if (y <= x) {
      d1 = eb[j]!;
      removed1 = d1 + cb[j]!;
      j++;
    }
    const d = 0 + d0 + d1;
    const n = 0 + r0 + r1;
    if (d > 0) {
      const weight = rho === 0 ? 1 : pooledSurvival ** rho;
      o0 += weight * d0;
      e0 += (weight * d * r0) / n;
      o1 += weight * d1;
      e1 += (weight * d * r1) / n;
      if (n > 1) {
        const factor = (weight * weight * d * (n - d)) / (n * (n - 1));
        const share0 = r0 / n;
        const share1 = r1 / n;
        const term0 = factor * r0;
        v00 += term0;
        v00 -= term0 * share0;
        v01 -= term0 * share1;
        const term1 = factor * r1;
        v11 += term1;
        v10 -= term1 * share0;
        v11 -= term1 * share1;
      }
      pooledSurvival *= (n - d) / n;
    }
    r0 -= removed0;
    r1 -= removed1;
  }
  sums.observed[0] = o0;
  sums.observed[1] = o1;
  sums.expected[0] = e0;
  sums.expected[1] = e1;
  sums.variance[0]![0] = v00;
  sums.variance[0]![1] = v01;
  sums.variance[1]![0] = v10;
  sums.variance[1]![1] = v11;
}

const asFloat64 = (values: ArrayLike<number>): Float64Array =>
  values instanceof Float64Array ? values : Float64Array.from(values);

/** With near ties: each group's counts gathered into the slots of the merged pooled times first. */
function accumulateMerged(
  tables: readonly SurvivalTable[],
  heads: Int32Array,
  rho: number,
  sums: { observed: number[]; expected: number[]; variance: number[][] },
): void {
  const k = tables.length;
  const pooled = pooledTimes(tables);
  const slotOf = new Int32Array(pooled.length);
  let slots = 0;
  for (let i = 0; i < pooled.length; i++) slotOf[i] = heads[i] === i ? slots++ : slots - 1;
  const deaths = tables.map(() => new Float64Array(slots));
  const removed = tables.map(() => new Float64Array(slots));
  for (let g = 0; g < k; g++) {
    const table = tables[g]!;
    const groupDeaths = deaths[g]!;
    const groupRemoved = removed[g]!;
    let p = 0;
    for (let i = 0; i < table.time.length; i++) {
      while (pooled[p] !== table.time[i]) p++;
      const slot = slotOf[p]!;
      groupDeaths[slot]! += table.nEvent[i]!;
      groupRemoved[slot]! += table.nEvent[i]! + table.nCensor[i]!;
    }
  }
  const local = localSums(sums);
  const atRisk = Float64Array.from(tables, (table) => table.n);
  const slotDeaths = new Float64Array(k);
  for (let slot = 0; slot < slots; slot++) {
    let d = 0;
    let n = 0;
    for (let g = 0; g < k; g++) {
      slotDeaths[g] = deaths[g]![slot]!;
      d += deaths[g]![slot]!;
      n += atRisk[g]!;
    }
    addTime(local, k, slotDeaths, atRisk, d, n, rho);
    for (let g = 0; g < k; g++) atRisk[g]! -= removed[g]![slot]!;
  }
  storeSums(local, sums);
}

const EMPTY_TABLE: SurvivalTable = {
  time: new Float64Array(0),
  nEvent: new Float64Array(0),
  nCensor: new Float64Array(0),
  n: 0,
};

/**
 * Splits each group by stratum, times first merged as R does (`aeqSurv` on all times at once), so a
 * stratified test sums per-stratum O, E and V exactly as `survdiff(... + strata(s))`.
 */
function tablesByStratum(
  groups: readonly StratifiedSurvivalInput[],
  tables: readonly SurvivalTable[],
  timefix: boolean,
): SurvivalTable[][] {
  const pooled = pooledTimes(tables);
  const heads = timefix ? nearTieHeads(pooled) : null;
  const canonical = new Map<number, number>();
  if (heads !== null) for (let i = 0; i < pooled.length; i++) canonical.set(pooled[i]!, pooled[heads[i]!]!);
  const fix = (t: number): number => (t === 0 ? 0 : (canonical.get(t) ?? t));

  const strataOrder = new Map<string | number, number>();
  const perGroup = groups.map((group, g) => {
    const where = `logRank group ${g}`;
    const strata = group.strata;
    const rows = group.time.length;
    if (strata === undefined || strata === null || typeof strata.length !== 'number') {
      throw new SurvivalInputError(`${where}: strata must be given for every group when one group has them`);
    }
    if (strata.length !== rows) {
      throw new SurvivalInputError(
        `${where}: strata must have one entry per row (${rows}), got ${strata.length}`,
      );
    }
    const byStratum = new Map<number, number[]>();
    for (let i = 0; i < rows; i++) {
      const label = strata[i];
      if (!(typeof label === 'string' || (typeof label === 'number' && Number.isFinite(label)))) {
        throw new SurvivalInputError(
          `${where}: strata[${i}] is ${String(label)}; strata must be strings or finite numbers`,
        );
      }
      let s = strataOrder.get(label);
      if (s === undefined) {
        s = strataOrder.size;
        strataOrder.set(label, s);
      }
      let rowsOf = byStratum.get(s);
      if (rowsOf === undefined) {
        rowsOf = [];
        byStratum.set(s, rowsOf);
      }
      rowsOf.push(i);
    }
    return { group, byStratum, where };
  });

  return Array.from({ length: strataOrder.size }, (_, s) =>
    perGroup.map(({ group, byStratum, where }) => {
      const rows = byStratum.get(s);
      if (rows === undefined) return EMPTY_TABLE;
      if (isAggregatedInput(group) && rows.every((i) => group.nEvent[i]! + group.nCensor[i]! === 0)) {
        return EMPTY_TABLE;
      }
      const time = rows.map((i) => fix(group.time[i]!));
      const part: SurvivalInput = isAggregatedInput(group)
        ? { time, nEvent: rows.map((i) => group.nEvent[i]!), nCensor: rows.map((i) => group.nCensor[i]!) }
        : { time, event: rows.map((i) => group.event[i]!) };
      return tabulate(part, `${where} stratum ${s}`);
    }),
  );
}

/**
 * With `strata` on the group inputs (all of them, aligned with their rows), the stratified test of
 * `survdiff(Surv(t, e) ~ g + strata(s))`: O, E and V summed over strata; `observed`/`expected` are the sums.
 */
export function logRank(
  groups: readonly StratifiedSurvivalInput[],
  options: LogRankOptions = {},
): LogRankResult {
  if (!Array.isArray(groups) || groups.length < 2) {
    throw new SurvivalInputError(`logRank: at least two groups are needed, got ${groups?.length ?? groups}`);
  }
  const rho = options.rho ?? 0;
  if (!(rho >= 0 && rho < Number.POSITIVE_INFINITY)) {
    throw new SurvivalInputError(`logRank: rho must be a finite number ≥ 0, got ${rho}`);
  }
  const k = groups.length;
  const timefix = options.timefix ?? true;
  const tables = groups.map((group, g) => tabulate(group, `logRank group ${g}`));
  const sums = {
    observed: new Array<number>(k).fill(0),
    expected: new Array<number>(k).fill(0),
    variance: Array.from({ length: k }, () => new Array<number>(k).fill(0)),
  };
  const stratified = groups.some((group) => group.strata !== undefined);
  if (stratified) {
    for (const stratumTables of tablesByStratum(groups, tables, timefix))
      accumulate(stratumTables, false, rho, sums);
  } else {
    accumulate(tables, timefix, rho, sums);
  }
  return testOf(
    sums,
    tables.map((table) => table.n),
  );
}

/** χ² of O − E over the groups with E > 0 (the first dropped), as survdiff. */
function testOf(
  sums: { observed: number[]; expected: number[]; variance: number[][] },
  n: number[],
): LogRankResult {
  const { observed, expected, variance } = sums;
  const k = observed.length;
  const tested: number[] = [];
  for (let g = 0; g < k; g++) if (expected[g]! > 0) tested.push(g);
  if (tested.length < 2) {
    // R: chisq 0 on (groups with E > 0) − 1 df, so p = 1, or NaN on −1 df when nothing happened at all.
    return { chiSq: 0, df: 0, pValue: tested.length === 1 ? 1 : Number.NaN, observed, expected, variance, n };
  }
  const reduced = tested.slice(1);
  const form = generalisedQuadraticForm(
    reduced.map((j) => reduced.map((l) => variance[j]![l]!)),
    reduced.map((j) => observed[j]! - expected[j]!),
  );
  return {
    chiSq: form.value,
    df: form.rank,
    pValue: chiSquareUpperTail(form.value, form.rank),
    observed,
    expected,
    variance,
    n,
  };
}

/** A group's counts in one stratum: the rows `logRank` would get labelled `stratum`, already counted per time. */
export interface StratumCounts {
  readonly stratum: string | number;
  readonly counts: AggregatedSurvivalInput;
}

/**
 * A group's count tables per stratum, validated and tabulated once (stratifiedCounts), for several
 * logRankByStratum tests of the same group — a reference group is tested against every other group.
 */
export interface StratifiedCounts {
  /** Every stratum named, in order (also those with no counts: they still take their place in the order). */
  readonly strata: readonly (string | number)[];
  /** The strata with counts: distinct times ascending, columns as Float64Array. */
  readonly tables: ReadonlyMap<string | number, SurvivalTable>;
  /** Subjects in all strata (0: nothing to test; logRankByStratum refuses the group). */
  readonly n: number;
  /** The distinct times of all its strata, ascending. */
  readonly times: ArrayLike<number>;
}

const isStratifiedCounts = (group: readonly StratumCounts[] | StratifiedCounts): group is StratifiedCounts =>
  !Array.isArray(group);

/** A group's parts checked and tabulated for logRankByStratum; `where` names the group in errors. */
export function stratifiedCounts(parts: readonly StratumCounts[], where = 'logRank group'): StratifiedCounts {
  const strata: (string | number)[] = [];
  const tables = new Map<string | number, SurvivalTable>();
  const seen = new Set<string | number>();
  let n = 0;
  for (const { stratum, counts } of parts) {
    if (seen.has(stratum)) throw new SurvivalInputError(`${where}: stratum ${stratum} is given twice`);
    seen.add(stratum);
    strata.push(stratum);
    if (counts.time.length === 0) continue;
    let events = 0;
    for (let i = 0; i < counts.time.length; i++) events += counts.nEvent[i]! + counts.nCensor[i]!;
    if (events === 0) continue;
    const table = tabulate(counts, `${where} stratum ${stratum}`);
    tables.set(stratum, {
      time: asFloat64(table.time),
      nEvent: asFloat64(table.nEvent),
      nCensor: asFloat64(table.nCensor),
      n: table.n,
    });
    n += table.n;
  }
  const own = [...tables.values()];
  return { strata, tables, n, times: own.length === 0 ? new Float64Array(0) : pooledTimes(own) };
}

/**
 * The stratified test from each group's count tables per stratum (at most one per stratum and group),
 * without concatenating and re-sorting them: the same result, to the last bit, as `logRank` on each
 * group's parts concatenated with their stratum on every row. Strata are summed in the same order (first
 * appearance, group by group), and R's near-tie merge is applied to the pooled times of all groups. A
 * group may come prepared by stratifiedCounts (the same result).
 */
export function logRankByStratum(
  groups: readonly (readonly StratumCounts[] | StratifiedCounts)[],
  options: LogRankOptions = {},
): LogRankResult {
  if (!Array.isArray(groups) || groups.length < 2) {
    throw new SurvivalInputError(`logRank: at least two groups are needed, got ${groups?.length ?? groups}`);
  }
  const rho = options.rho ?? 0;
  if (!(rho >= 0 && rho < Number.POSITIVE_INFINITY)) {
    throw new SurvivalInputError(`logRank: rho must be a finite number ≥ 0, got ${rho}`);
  }
  const k = groups.length;
  const strataOrder = new Map<string | number, number>();
  const prepared = groups.map((group, g) => {
    const where = `logRank group ${g}`;
    const counts = isStratifiedCounts(group) ? group : stratifiedCounts(group, where);
    for (const stratum of counts.strata)
      if (!strataOrder.has(stratum)) strataOrder.set(stratum, strataOrder.size);
    if (counts.n === 0) throw new SurvivalInputError(`${where}: input is empty, every count is zero`);
    return counts;
  });
  // R's aeqSurv on all times at once: the pooled distinct times of every group's tables.
  const pooled = pooledTimes(prepared.map(({ times }) => ({ time: times, nEvent: [], nCensor: [], n: 0 })));
  const heads = (options.timefix ?? true) ? nearTieHeads(pooled) : null;
  let fix: ((table: SurvivalTable, where: string) => SurvivalTable) | null = null;
  if (heads !== null) {
    const canonical = new Map<number, number>();
    for (let i = 0; i < pooled.length; i++) canonical.set(pooled[i]!, pooled[heads[i]!]!);
    fix = (table, where) =>
      tabulate(
        {
          time: Array.from(table.time, (t) => (t === 0 ? 0 : (canonical.get(t) ?? t))),
          nEvent: table.nEvent,
          nCensor: table.nCensor,
        },
        where,
      );
  }
  const sums = {
    observed: new Array<number>(k).fill(0),
    expected: new Array<number>(k).fill(0),
    variance: Array.from({ length: k }, () => new Array<number>(k).fill(0)),
  };
  for (const [stratum, s] of strataOrder) {
    const stratumTables = prepared.map(({ tables }, g) => {
      const table = tables.get(stratum);
      if (table === undefined) return EMPTY_TABLE;
      return fix === null ? table : fix(table, `logRank group ${g} stratum ${s}`);
    });
    accumulate(stratumTables, false, rho, sums);
  }
  return testOf(
    sums,
    prepared.map(({ n }) => n),
  );
}
