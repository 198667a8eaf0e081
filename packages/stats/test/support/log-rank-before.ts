/**
 * The log-rank implementation before the tests walked the groups' tables with cursors (slot arrays per
 * group, every group's strata re-tabulated by every test), kept unchanged as the reference that
 * log-rank-before-after.test.ts holds the faster one to, result for result and bit for bit.
 */
/**
 * k-sample log-rank test, as R's `survdiff(Surv(time, status) ~ group)` (G-rho family, rho = 0 by
 * default): observed and expected events per group, the hypergeometric variance matrix (correct with tied
 * event times), and χ² = (O − E)' V⁻ (O − E) over the groups with E > 0, first of them dropped.
 */
import { chiSquareUpperTail } from '../../src/gamma.js';
import {
  type AggregatedSurvivalInput,
  isAggregatedInput,
  type SurvivalInput,
  SurvivalInputError,
} from '../../src/input.js';
import { generalisedQuadraticForm } from '../../src/quadratic-form.js';
import { nearTieHeads, type SurvivalTable, tabulate } from '../../src/survival-table.js';

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
  const k = tables.length;
  // One time axis for all groups, with R's near-tie merge applied to the pooled times.
  const pooled = pooledTimes(tables);
  const heads = timefix ? nearTieHeads(pooled) : null;
  const slotOf = new Int32Array(pooled.length);
  let slots = 0;
  for (let i = 0; i < pooled.length; i++) slotOf[i] = heads === null || heads[i] === i ? slots++ : slots - 1;
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

  // The sums in local typed arrays (doubles, like the arrays they are copied back to): the same operations
  // in the same order as on the arrays themselves, without their element-kind transitions in the hot loop.
  const observed = Float64Array.from(sums.observed);
  const expected = Float64Array.from(sums.expected);
  const variance = new Float64Array(k * k);
  for (let j = 0; j < k; j++) for (let l = 0; l < k; l++) variance[j * k + l] = sums.variance[j]![l]!;
  const atRisk = Float64Array.from(tables, (table) => table.n);
  const share = new Float64Array(k);
  let pooledSurvival = 1; // left-continuous pooled Kaplan–Meier, for the rho weights
  for (let slot = 0; slot < slots; slot++) {
    let d = 0;
    let n = 0;
    for (let g = 0; g < k; g++) {
      d += deaths[g]![slot]!;
      n += atRisk[g]!;
    }
    if (d > 0) {
      const weight = rho === 0 ? 1 : pooledSurvival ** rho;
      for (let g = 0; g < k; g++) {
        observed[g]! += weight * deaths[g]![slot]!;
        expected[g]! += (weight * d * atRisk[g]!) / n;
      }
      if (n > 1) {
        // Hypergeometric covariance of the group death counts given d deaths among n at risk.
        const factor = (weight * weight * d * (n - d)) / (n * (n - 1));
        for (let g = 0; g < k; g++) share[g] = atRisk[g]! / n;
        for (let j = 0; j < k; j++) {
          const term = factor * atRisk[j]!;
          const row = j * k;
          variance[row + j]! += term;
          for (let l = 0; l < k; l++) variance[row + l]! -= term * share[l]!;
        }
      }
      pooledSurvival *= (n - d) / n;
    }
    for (let g = 0; g < k; g++) atRisk[g]! -= removed[g]![slot]!;
  }
  for (let g = 0; g < k; g++) {
    sums.observed[g] = observed[g]!;
    sums.expected[g] = expected[g]!;
    for (let l = 0; l < k; l++) sums.variance[g]![l] = variance[g * k + l]!;
  }
}

const EMPTY_TABLE: SurvivalTable = { time: [], nEvent: [], nCensor: [], n: 0 };

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
 * The stratified test from each group's count tables per stratum (at most one per stratum and group),
 * without concatenating and re-sorting them: the same result, to the last bit, as `logRank` on each
 * group's parts concatenated with their stratum on every row. Strata are summed in the same order (first
 * appearance, group by group), and R's near-tie merge is applied to the pooled times of all groups.
 */
export function logRankByStratum(
  groups: readonly (readonly StratumCounts[])[],
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
  const tablesOf = groups.map((parts, g) => {
    const where = `logRank group ${g}`;
    const byStratum = new Map<number, SurvivalTable>();
    let n = 0;
    for (const { stratum, counts } of parts) {
      let s = strataOrder.get(stratum);
      if (s === undefined) {
        s = strataOrder.size;
        strataOrder.set(stratum, s);
      }
      if (byStratum.has(s)) throw new SurvivalInputError(`${where}: stratum ${stratum} is given twice`);
      if (counts.time.length === 0) continue;
      let events = 0;
      for (let i = 0; i < counts.time.length; i++) events += counts.nEvent[i]! + counts.nCensor[i]!;
      if (events === 0) continue;
      const table = tabulate(counts, `${where} stratum ${s}`);
      byStratum.set(s, table);
      n += table.n;
    }
    if (n === 0) throw new SurvivalInputError(`${where}: input is empty, every count is zero`);
    return { byStratum, n };
  });
  // R's aeqSurv on all times at once: the pooled distinct times of every group's tables.
  const pooled = pooledTimes(tablesOf.flatMap(({ byStratum }) => [...byStratum.values()]));
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
  for (let s = 0; s < strataOrder.size; s++) {
    const stratumTables = tablesOf.map(({ byStratum }, g) => {
      const table = byStratum.get(s);
      if (table === undefined) return EMPTY_TABLE;
      return fix === null ? table : fix(table, `logRank group ${g} stratum ${s}`);
    });
    accumulate(stratumTables, false, rho, sums);
  }
  return testOf(
    sums,
    tablesOf.map(({ n }) => n),
  );
}
