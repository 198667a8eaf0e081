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
  for (let d = 0; d < dims; d++) {
    const strata = shuffledRange(n, source);
    for (let i = 0; i < n; i++) points[i]![d] = withinStratum(strata[i]!, source.uniform(), n);
  }
  return points;
}

/** Fisher–Yates shuffle of 0 … n−1. */
function shuffledRange(n: number, source: UniformSource): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = uniformIndex(source, i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

/** (k + u)/n, kept inside stratum k where floating-point rounding would push it across an edge. */
function withinStratum(k: number, u: number, n: number): number {
  const x = (k + u) / n;
  return Math.floor(x * n) === k && x < 1 ? x : (k + 0.5) / n;
}
