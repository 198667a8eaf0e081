import { checkCount } from './checks.js';
import { SOBOL_MAX_DIMENSIONS } from './joeKuo.js';
import type { RangeAxes } from './scale.js';
import { scaleToAxes } from './scale.js';
import { sobolPoints } from './sobol.js';

/** Base rows below this leave the estimators' variance undefined (a mean of one product). */
export const SALTELLI_MIN_SAMPLES = 2;

/** A and B together take 2·d Sobol dimensions, so d is at most half the embedded directions. */
export const SALTELLI_MAX_AXES = Math.floor(SOBOL_MAX_DIMENSIONS / 2);

/**
 * Where a point sits in Saltelli's scheme: row `row` (0 … N−1) of matrix A, of B, or of AB_i (A
 * with column `factor` = i taken from B). Results are reassembled into f(A), f(B), f(AB_i) by it.
 */
export type SaltelliRole =
  | { readonly block: 'A'; readonly row: number }
  | { readonly block: 'B'; readonly row: number }
  | { readonly block: 'AB'; readonly factor: number; readonly row: number };

/** The unit-cube matrices of the scheme: a[j], b[j] and ab[i][j] are rows in [0, 1)^d. */
export interface SaltelliMatrices {
  readonly a: number[][];
  readonly b: number[][];
  readonly ab: number[][][];
}

/** Points of a Saltelli design: N base rows × (A, B and one AB_i per factor). */
export function saltelliPointCount(samples: number, dims: number): number {
  return samples * (dims + 2);
}

/**
 * The role of point `index` in design order. The layout is fixed so a stored point index alone
 * says what it is: A rows are 0 … N−1, B rows N … 2N−1, and AB_i rows (2+i)·N … (3+i)·N−1.
 */
export function saltelliRole(index: number, samples: number, dims: number): SaltelliRole {
  checkSaltelliSize(samples, dims);
  const count = saltelliPointCount(samples, dims);
  if (!Number.isSafeInteger(index) || index < 0 || index >= count) {
    throw new RangeError(
      `index must be an integer in [0, ${count}) for ${samples} samples × ${dims} axes, got ${index}`,
    );
  }
  const block = Math.floor(index / samples);
  const row = index % samples;
  if (block === 0) return { block: 'A', row };
  if (block === 1) return { block: 'B', row };
  return { block: 'AB', factor: block - 2, row };
}

/**
 * Saltelli's (2002, 2010) sampling scheme on the unit cube: the first N points of a 2d-dimensional
 * scrambled Sobol sequence, whose first d coordinates form A and last d form B (two independent
 * quasi-random samples of the same cube), and for each factor i the matrix AB_i — A with column i
 * replaced by B's. Reproducible from `seed`.
 */
export function saltelliMatrices(samples: number, dims: number, seed: number): SaltelliMatrices {
  const points = saltelliUnitPoints(samples, dims, seed);
  const block = (k: number) => points.slice(k * samples, (k + 1) * samples);
  return { a: block(0), b: block(1), ab: Array.from({ length: dims }, (_, i) => block(2 + i)) };
}

/**
 * The unit points of saltelliMatrices in design order (A, B, AB_0, …, AB_{d−1}), matching saltelliRole.
 * Built here as one list, the matrices being its blocks: a design of 10⁵ points is generated in one
 * synchronous step before its submission's reply (copying matrices into it took ~2× as long).
 */
export function saltelliUnitPoints(samples: number, dims: number, seed: number): number[][] {
  checkSaltelliSize(samples, dims);
  const base = sobolPoints(samples, 2 * dims, seed);
  const points = new Array<number[]>(saltelliPointCount(samples, dims));
  for (let j = 0; j < samples; j++) {
    points[j] = base[j]!.slice(0, dims);
    points[samples + j] = base[j]!.slice(dims);
  }
  for (let i = 0; i < dims; i++)
    for (let j = 0; j < samples; j++) {
      const row = points[j]!.slice();
      row[i] = base[j]![dims + i]!;
      points[(2 + i) * samples + j] = row;
    }
  return points;
}

/** One point of a Saltelli design on the axes, with its role for reassembling results. */
export interface SaltelliPoint {
  readonly axisValues: Record<string, number>;
  readonly role: SaltelliRole;
}

/**
 * The N·(d+2) points of a Saltelli design mapped onto the axes (linear or log, as the other
 * sampled designs), in the order saltelliRole describes. Factor i is the i-th axis in key order.
 */
export function saltelliPoints(samples: number, seed: number, axes: RangeAxes): SaltelliPoint[] {
  const dims = Object.keys(axes).length;
  const values = scaleToAxes(saltelliUnitPoints(samples, dims, seed), axes);
  return values.map((axisValues, index) => ({ axisValues, role: saltelliRole(index, samples, dims) }));
}

function checkSaltelliSize(samples: number, dims: number): void {
  checkCount('samples', samples, SALTELLI_MIN_SAMPLES);
  checkCount('dims', dims, 1);
  if (dims > SALTELLI_MAX_AXES) {
    throw new RangeError(
      `a Saltelli design takes at most ${SALTELLI_MAX_AXES} axes (A and B use 2 × axes of the ${SOBOL_MAX_DIMENSIONS} Sobol dimensions), got ${dims}`,
    );
  }
}
