import { checkCount } from './checks.js';
import { directionNumbers, SOBOL_BITS, SOBOL_MAX_DIMENSIONS } from './joeKuo.js';
import type { UniformSource } from './random.js';
import { uniformBits32 } from './random.js';
import { DesignStream, designSource } from './seeded.js';

const SCALE = 2 ** -SOBOL_BITS;

/**
 * The first n points of the unscrambled Sobol sequence in Gray-code order (Antonov–Saleev), which
 * is the order of Joe & Kuo's reference generator and SciPy: 0, 0.5, (0.75, 0.25), (0.25, 0.75), …
 * Any prefix of length 2^m is the same point set as in natural order.
 */
export function unscrambledSobolPoints(n: number, dims: number): number[][] {
  checkSobolSize(n, dims);
  return grayCodePoints(n, sequenceDirections(dims), new Uint32Array(dims));
}

/**
 * The first n points of a scrambled Sobol sequence in [0, 1)^dims, reproducible from `seed`.
 * Scrambling is a random linear matrix scramble (a random lower-triangular binary matrix with unit
 * diagonal applied to each dimension's direction numbers) followed by a random digital shift, as
 * in Matoušek (1998) and SciPy. Both keep the digital-net structure, so for n = 2^m every 1-D
 * projection still puts exactly one point in each of n equal bins, while the points are no longer
 * pinned to the dyadic grid and the estimator becomes unbiased.
 */
export function sobolPoints(n: number, dims: number, seed: number): number[][] {
  checkSobolSize(n, dims);
  const source = designSource(seed, DesignStream.SobolScramble);
  const directions = sequenceDirections(dims).map((v) => linearMatrixScramble(v, source));
  const shift = Uint32Array.from({ length: dims }, () => uniformBits32(source));
  return grayCodePoints(n, directions, shift);
}

/** Is n a power of two (the sizes at which a Sobol point set is a balanced (t, m, s)-net)? */
export function isPowerOfTwo(n: number): boolean {
  return Number.isSafeInteger(n) && n > 0 && (n & (n - 1)) === 0 && n <= 2 ** 31;
}

function checkSobolSize(n: number, dims: number): void {
  checkCount('n', n, 0);
  checkCount('dims', dims, 1);
  if (n > 2 ** SOBOL_BITS) throw new RangeError(`n must be ≤ 2^${SOBOL_BITS}, got ${n}`);
  if (dims > SOBOL_MAX_DIMENSIONS) {
    throw new RangeError(`dims must be ≤ ${SOBOL_MAX_DIMENSIONS} (embedded direction numbers), got ${dims}`);
  }
}

function sequenceDirections(dims: number): Uint32Array[] {
  return Array.from({ length: dims }, (_, d) => directionNumbers(d));
}

/** x_i = x_{i-1} ⊕ v_c, c = index of the lowest zero bit of i−1; point i is x_i ⊕ shift. */
function grayCodePoints(n: number, directions: Uint32Array[], shift: Uint32Array): number[][] {
  const dims = directions.length;
  const state = new Uint32Array(dims);
  const points: number[][] = [];
  for (let i = 0; i < n; i++) {
    if (i > 0) {
      const c = lowestZeroBit(i - 1);
      for (let d = 0; d < dims; d++) state[d] = state[d]! ^ directions[d]![c]!;
    }
    const point = new Array<number>(dims);
    for (let d = 0; d < dims; d++) point[d] = ((state[d]! ^ shift[d]!) >>> 0) * SCALE;
    points.push(point);
  }
  return points;
}

function lowestZeroBit(i: number): number {
  let c = 0;
  // i < 2^32 here, so counting in floating point avoids 32-bit sign trouble.
  while (Math.floor(i / 2 ** c) % 2 === 1) c++;
  return c;
}

/**
 * Multiplies each direction number, read as a column of binary digits (most significant first), by
 * a random lower-triangular matrix with unit diagonal: digit r becomes digit r ⊕ a random parity of
 * the digits above it. Unit diagonal keeps the matrix invertible, so nets stay nets.
 */
function linearMatrixScramble(directions: Uint32Array, source: UniformSource): Uint32Array {
  const rowMasks = new Uint32Array(SOBOL_BITS);
  for (let r = 1; r < SOBOL_BITS; r++) {
    // Row r may mix in only digits 0 … r−1, i.e. the r most significant bits.
    const above = (0xffffffff << (SOBOL_BITS - r)) >>> 0;
    rowMasks[r] = (uniformBits32(source) & above) >>> 0;
  }
  return directions.map((v) => {
    let scrambled = 0;
    for (let r = 0; r < SOBOL_BITS; r++) {
      const position = SOBOL_BITS - 1 - r;
      const bit = ((v >>> position) & 1) ^ parity((v & rowMasks[r]!) >>> 0);
      scrambled |= bit << position;
    }
    return scrambled >>> 0;
  });
}

function parity(x: number): number {
  x ^= x >>> 16;
  x ^= x >>> 8;
  x ^= x >>> 4;
  x ^= x >>> 2;
  x ^= x >>> 1;
  return x & 1;
}
