/**
 * k-sample log-rank test, as R's `survdiff(Surv(time, status) ~ group)` (G-rho family, rho = 0 by
 * default): observed and expected events per group, the hypergeometric variance matrix (correct with tied
 * event times), and χ² = (O − E)' V⁻ (O − E) over the groups with E > 0, first of them dropped.
 */
import { chiSquareUpperTail } from './gamma.js';
import { type SurvivalInput, SurvivalInputError } from './input.js';
import { generalisedQuadraticForm } from './quadratic-form.js';
import { nearTieHeads, type SurvivalTable, tabulate } from './survival-table.js';

export interface LogRankOptions {
  /** Weight each event time by S(t−)^rho of the pooled Kaplan–Meier; 0 is the log-rank test (default). */
  readonly rho?: number;
  /** Merge times that differ only by floating-point noise, as R's `timefix = TRUE` (default true). */
  readonly timefix?: boolean;
}

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

export function logRank(groups: readonly SurvivalInput[], options: LogRankOptions = {}): LogRankResult {
  if (!Array.isArray(groups) || groups.length < 2) {
    throw new SurvivalInputError(`logRank: at least two groups are needed, got ${groups?.length ?? groups}`);
  }
  const rho = options.rho ?? 0;
  if (!(rho >= 0 && rho < Number.POSITIVE_INFINITY)) {
    throw new SurvivalInputError(`logRank: rho must be a finite number ≥ 0, got ${rho}`);
  }
  const k = groups.length;
  const tables = groups.map((group, g) => tabulate(group, `logRank group ${g}`));

  // One time axis for all groups, with R's near-tie merge applied to the pooled times.
  const pooled = pooledTimes(tables);
  const heads = (options.timefix ?? true) ? nearTieHeads(pooled) : null;
  const slotOf = new Int32Array(pooled.length);
  let slots = 0;
  for (let i = 0; i < pooled.length; i++) slotOf[i] = heads === null || heads[i] === i ? slots++ : slots - 1;
  const deaths = tables.map(() => new Float64Array(slots));
  const removed = tables.map(() => new Float64Array(slots));
  tables.forEach((table, g) => {
    let p = 0;
    for (let i = 0; i < table.time.length; i++) {
      while (pooled[p] !== table.time[i]) p++;
      const slot = slotOf[p]!;
      deaths[g]![slot]! += table.nEvent[i]!;
      removed[g]![slot]! += table.nEvent[i]! + table.nCensor[i]!;
    }
  });

  const observed = new Array<number>(k).fill(0);
  const expected = new Array<number>(k).fill(0);
  const variance = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  const atRisk = tables.map((table) => table.n);
  const share = new Array<number>(k).fill(0);
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
          const row = variance[j]!;
          row[j]! += term;
          for (let l = 0; l < k; l++) row[l]! -= term * share[l]!;
        }
      }
      pooledSurvival *= (n - d) / n;
    }
    for (let g = 0; g < k; g++) atRisk[g]! -= removed[g]![slot]!;
  }

  const tested: number[] = [];
  for (let g = 0; g < k; g++) if (expected[g]! > 0) tested.push(g);
  const n = tables.map((table) => table.n);
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
