/**
 * Harrell's concordance of a Cox model's linear predictor, as `summary(coxph)$concordance[1]` (R's
 * `concordancefit(y, lp, strata, weights, reverse = TRUE)`): over comparable pairs within a stratum — an
 * event at t against a subject still at risk after t, or censored at t — the share where the event had the
 * higher risk score, ties in the score counting one half; pairs of events at the same time are not
 * comparable. A Fenwick tree over the ranks of the scores makes it O(n log n); weights count pairs, so
 * aggregated rows give the same value as the rows they stand for.
 */
import type { CoxRows } from './cox-fit.js';

export function coxConcordance(rows: CoxRows, linearPredictor: Float64Array): number {
  const n = linearPredictor.length;
  const distinct = Float64Array.from(linearPredictor).sort();
  let levels = 0;
  for (let i = 0; i < n; i++)
    if (i === 0 || distinct[i] !== distinct[i - 1]) distinct[levels++] = distinct[i]!;
  const rankOf = (x: number): number => {
    let low = 0;
    let high = levels - 1;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (distinct[middle]! < x) low = middle + 1;
      else high = middle;
    }
    return low;
  };
  const rank = new Int32Array(n);
  for (let i = 0; i < n; i++) rank[i] = rankOf(linearPredictor[i]!);

  const tree = new Float64Array(levels + 1);
  const add = (r: number, w: number): void => {
    for (let i = r + 1; i <= levels; i += i & -i) tree[i]! += w;
  };
  /** Total weight with rank < r. */
  const below = (r: number): number => {
    let sum = 0;
    for (let i = r; i > 0; i -= i & -i) sum += tree[i]!;
    return sum;
  };

  let concordant = 0;
  let discordant = 0;
  let tiedScore = 0;
  let inTree = 0;
  // Rows are sorted by stratum then time: walk each stratum from its last row back to its first.
  let end = n - 1;
  while (end >= 0) {
    let start = end;
    while (start > 0 && rows.lastOfStratum[start - 1] !== 1) start--;
    for (let i = end; i >= start; ) {
      const t = rows.time[i]!;
      let first = i;
      while (first > start && rows.time[first - 1] === t) first--;
      // Censored at t are still at risk at t: into the tree before the deaths at t are compared.
      for (let j = first; j <= i; j++) {
        if (rows.status[j] === 0) {
          add(rank[j]!, rows.weight[j]!);
          inTree += rows.weight[j]!;
        }
      }
      for (let j = first; j <= i; j++) {
        if (rows.status[j] === 1) {
          const w = rows.weight[j]!;
          const lower = below(rank[j]!);
          const notAbove = below(rank[j]! + 1);
          concordant += w * lower;
          tiedScore += w * (notAbove - lower);
          discordant += w * (inTree - notAbove);
        }
      }
      for (let j = first; j <= i; j++) {
        if (rows.status[j] === 1) {
          add(rank[j]!, rows.weight[j]!);
          inTree += rows.weight[j]!;
        }
      }
      i = first - 1;
    }
    tree.fill(0);
    inTree = 0;
    end = start - 1;
  }
  return (concordant + tiedScore / 2) / (concordant + discordant + tiedScore);
}
