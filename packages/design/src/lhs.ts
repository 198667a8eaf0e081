import { checkCount } from './checks.js';
import type { UniformSource } from './random.js';
import { uniformIndex } from './random.js';
import { DesignStream, designSource } from './seeded.js';

/**
 * Latin hypercube sample of n points in [0, 1)^dims: on every axis each of the n equal strata
 * [k/n, (k+1)/n) holds exactly one point, placed uniformly within it; strata are matched across
 * axes by independent random permutations. Same seed, same points.
 */
export function latinHypercube(n: number, dims: number, seed: number): number[][] {
  checkCount('n', n, 0);
  checkCount('dims', dims, 1);
  const source = designSource(seed, DesignStream.LatinHypercube);
  const points = Array.from({ length: n }, () => new Array<number>(dims).fill(0));
  // One buffer of strata for every axis, shuffled afresh: a design of 10⁵ points is generated in one
  // synchronous step before its submission's reply, so its arrays are not rebuilt per axis.
  const strata = new Int32Array(n);
  for (let d = 0; d < dims; d++) {
    shuffleRange(strata, source);
    for (let i = 0; i < n; i++) points[i]![d] = withinStratum(strata[i]!, source.uniform(), n);
  }
  return points;
}

/** Fisher–Yates shuffle of 0 … n−1 into `order` (n = its length). */
function shuffleRange(order: Int32Array, source: UniformSource): void {
  for (let i = 0; i < order.length; i++) order[i] = i;
  for (let i = order.length - 1; i > 0; i--) {
    const j = uniformIndex(source, i + 1);
    const swapped = order[i]!;
    order[i] = order[j]!;
    order[j] = swapped;
  }
}

/** (k + u)/n, kept inside stratum k where floating-point rounding would push it across an edge. */
function withinStratum(k: number, u: number, n: number): number {
  const x = (k + u) / n;
  return Math.floor(x * n) === k && x < 1 ? x : (k + 0.5) / n;
}
