/**
 * Seedable pseudo-random number generator for the simulation kernel and the design package.
 *
 * Generator: xoshiro128** 1.0 (Blackman & Vigna, https://prng.di.unimi.it/xoshiro128starstar.c),
 * 128 bits of state, period 2^128 − 1, passes BigCrush. Everything is 32-bit integer arithmetic
 * (`Math.imul`, shifts, xor), so the integer stream is bit-identical on every platform, thread and
 * process. Floating-point outputs are derived from it with exactly specified, correctly rounded
 * operations (`uniform`) or V8's deterministic fdlibm-based `Math.log/exp/sqrt/cos` (`normal`,
 * `poisson`), hence also bit-identical for a given Node.js version.
 *
 * Seeding: `new Rng(seed, stream, substream = 0)` with non-negative safe integers (each up to
 * 2^53 − 1). The five 32-bit words (seed lo/hi, stream lo/hi, substream) are hashed four times
 * with MurmurHash3-style mixing under four different keys into the 128-bit state, so neighbouring
 * seeds/streams (i, i + 1) give unrelated states; a state collision between two different inputs
 * has probability ≈ 2^-128 per pair. The first 4 outputs are discarded as a warm-up.
 *
 * Draw counts (relevant for common random numbers):
 *  - `nextUint32()`: one 32-bit output;
 *  - `uniform()`: two 32-bit outputs, 53-bit resolution, in [0, 1);
 *  - `normal()`: exactly two `uniform()` calls (Box–Muller, cosine branch; the sine half is discarded);
 *  - `roundIo()`: stochastic rounding, one `nextUint32()` if the value is fractional;
 *  - `poisson(mean)`: 0 draws for mean ≤ 0, one `nextUint32()` for mean < 10 (inversion by sequential
 *    search), otherwise ≥ 2 `nextUint32()` (PTRS transformed rejection, Hörmann 1993; mean acceptance ≈ 0.9+).
 */

const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const TWO32 = 4294967296;
const INV_TWO53 = 1 / 9007199254740992;
const INV_TWO32 = 1 / 4294967296;

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

function murmurRound(h: number, k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** MurmurHash3_x86_32 over a fixed list of five 32-bit words, with a key (the murmur seed). */
function hash5(key: number, w0: number, w1: number, w2: number, w3: number, w4: number): number {
  let h = key | 0;
  h = murmurRound(h, w0);
  h = murmurRound(h, w1);
  h = murmurRound(h, w2);
  h = murmurRound(h, w3);
  h = murmurRound(h, w4);
  h ^= 20; // length in bytes
  return fmix32(h);
}

function checkSeedPart(name: string, v: number): void {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > MAX_SAFE) {
    throw new RangeError(`Rng: ${name} must be an integer in [0, 2^53 − 1] (got ${String(v)})`);
  }
}

/** log(k!) for k = 0..LF_TABLE−1 by summation (relative error ≲ 1e-15). */
const LF_TABLE = 1024;
const logFactTable = new Float64Array(LF_TABLE);
for (let k = 2; k < LF_TABLE; k++) logFactTable[k] = logFactTable[k - 1]! + Math.log(k);
const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);
/** 1/k for the inversion search (multiplication instead of division in the loop). */
const INV_K_MAX = 256;
const invK = new Float64Array(INV_K_MAX + 1);
for (let k = 1; k <= INV_K_MAX; k++) invK[k] = 1 / k;

/**
 * e^{−j/8}, j = 0…80: the inversion search starts from a cheap approximation of e^{−mean}
 * (`INV_MARGIN`), from this table and a Taylor polynomial of e^{−r}, r = mean − j/8 < 1/8.
 */
const EXP_EIGHTHS = new Float64Array(81);
for (let j = 0; j <= 80; j++) EXP_EIGHTHS[j] = Math.exp(-j / 8);
/**
 * The approximation of e^{−mean} is within a relative 6·10⁻⁹ (Taylor remainder r⁶/720 < 5.2·10⁻⁹
 * plus rounding), so every partial sum of the inversion search started from it is within ~10⁻⁸ of
 * the one started from Math.exp(−mean). A variate whose u lies more than this margin from both
 * bounds of its cell is therefore the one the exact search returns; the rest (a fraction ~10⁻⁶)
 * are searched again from Math.exp, so the variates are exactly those of the exact search.
 */
const INV_MARGIN = 1e-7;

/** log(k!) for integer k ≥ 0 (table below 1024, Stirling series with 3 correction terms above; rel. err < 1e-15). */
export function logFactorial(k: number): number {
  if (k < LF_TABLE) return logFactTable[k]!;
  const x = k + 1;
  const ix2 = 1 / (x * x);
  return (x - 0.5) * Math.log(x) - x + HALF_LOG_2PI + (1 / x) * (1 / 12 - ix2 * (1 / 360 - ix2 / 1260));
}

export class Rng {
  /** xoshiro128** state s0..s3 as signed 32-bit words. */
  private readonly s: Int32Array = new Int32Array(4);
  /**
   * Argument [0] and result [1] of `poissonIo`: hot callers pass numbers through this buffer so
   * that a call V8 does not inline boxes neither the mean nor the count on the heap.
   */
  readonly io: Float64Array = new Float64Array(2);

  constructor(seed: number, stream: number, substream = 0) {
    this.reseed(seed, stream, substream);
  }

  /**
   * A generator with the given raw xoshiro128** state (no hashing, no warm-up) — for known-answer
   * tests against the reference C implementation and for resuming a saved state.
   */
  static fromState(s0: number, s1: number, s2: number, s3: number): Rng {
    const r = new Rng(0, 0);
    r.s[0] = s0 | 0;
    r.s[1] = s1 | 0;
    r.s[2] = s2 | 0;
    r.s[3] = s3 | 0;
    if ((r.s[0] | r.s[1] | r.s[2] | r.s[3]) === 0) throw new RangeError('Rng: the all-zero state is invalid');
    return r;
  }

  /** The raw state as unsigned 32-bit words (see `fromState`). */
  getState(): [number, number, number, number] {
    const s = this.s;
    return [s[0]! >>> 0, s[1]! >>> 0, s[2]! >>> 0, s[3]! >>> 0];
  }

  /** Re-initialise in place (no allocation) — equivalent to `new Rng(seed, stream, substream)`. */
  reseed(seed: number, stream: number, substream = 0): this {
    checkSeedPart('seed', seed);
    checkSeedPart('stream', stream);
    checkSeedPart('substream', substream);
    const w0 = seed >>> 0;
    const w1 = Math.floor(seed / TWO32) >>> 0;
    const w2 = stream >>> 0;
    const w3 = Math.floor(stream / TWO32) >>> 0;
    const w4 = substream >>> 0;
    const s = this.s;
    s[0] = hash5(0x9e3779b9, w0, w1, w2, w3, w4);
    s[1] = hash5(0x7f4a7c15, w0, w1, w2, w3, w4);
    s[2] = hash5(0x85ebca6b, w0, w1, w2, w3, w4);
    s[3] = hash5(0xc2b2ae35, w0, w1, w2, w3, w4);
    if ((s[0] | s[1] | s[2] | s[3]) === 0) s[0] = 1; // the all-zero state is the one forbidden state
    for (let i = 0; i < 4; i++) this.nextUint32();
    return this;
  }

  /** Next 32-bit output of xoshiro128**, as an unsigned integer in [0, 2^32). */
  nextUint32(): number {
    const s = this.s;
    const s0 = s[0]!;
    const s1 = s[1]!;
    let s2 = s[2]!;
    let s3 = s[3]!;
    const m = Math.imul(s1, 5);
    const result = Math.imul((m << 7) | (m >>> 25), 9) >>> 0;
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s[1] = s1 ^ s2;
    s[0] = s0 ^ s3;
    s[2] = s2 ^ t;
    s[3] = (s3 << 11) | (s3 >>> 21);
    return result;
  }

  /** Uniform double in [0, 1) with 53 random bits (multiples of 2^-53). */
  uniform(): number {
    const a = this.nextUint32() >>> 5; // 27 bits
    const b = this.nextUint32() >>> 6; // 26 bits
    return (a * 67108864 + b) * INV_TWO53;
  }

  /** Standard normal N(0, 1) by Box–Muller; consumes exactly two `uniform()` draws. */
  normal(): number {
    const u1 = 1 - this.uniform(); // (0, 1]
    const u2 = this.uniform();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  /**
   * Poisson(mean) variate as a non-negative integer-valued double.
   * mean ≤ 0 (or NaN) → 0 without consuming draws; mean < 10 → inversion (one 32-bit output);
   * otherwise PTRS (Hörmann 1993, "The transformed rejection method for generating Poisson
   * random variables"), exact for any finite mean.
   */
  poisson(mean: number): number {
    this.io[0] = mean;
    this.poissonIo();
    return this.io[1]!;
  }

  /**
   * Allocation-free form of `poisson`: io[1] ← Poisson(io[0]), same draws. Kept to a small
   * dispatcher so that V8 inlines it at every call site of the step functions within its inlining
   * budget, while the sampler proper (`poissonPositive`, both methods in one) is too large to be
   * inlined and so never uses up that budget.
   */
  poissonIo(): void {
    if (!(this.io[0]! > 0)) this.io[1] = 0;
    else this.poissonPositive();
  }

  /**
   * Allocation-free unbiased stochastic rounding: io[1] ← ⌊io[0]⌋ + (1 with probability equal to
   * the fractional part). Draws one 32-bit output only when io[0] is not an integer.
   */
  roundIo(): void {
    const io = this.io;
    const x = io[0]!;
    const f = Math.floor(x);
    if (f === x) {
      io[1] = x;
      return;
    }
    const st = this.s;
    const s0 = st[0]!;
    const s1 = st[1]!;
    const s2 = st[2]! ^ s0;
    const s3 = st[3]! ^ s1;
    const m = Math.imul(s1, 5);
    const u = ((Math.imul((m << 7) | (m >>> 25), 9) >>> 0) + 0.5) * INV_TWO32;
    st[1] = s1 ^ s2;
    st[0] = s0 ^ s3;
    st[2] = s2 ^ (s1 << 9);
    st[3] = (s3 << 11) | (s3 >>> 21);
    io[1] = u < x - f ? f + 1 : f;
  }

  /**
   * io[1] ← Poisson(io[0]) for io[0] > 0: inversion below 10, PTRS (Hörmann 1993) from 10 on. One
   * method on purpose (see `poissonIo`).
   */
  private poissonPositive(): void {
    const io = this.io;
    const mean = io[0]!;
    if (mean < 10) {
      // Inversion by sequential search. 32-bit resolution (one output): tail probabilities below
      // 2^-33 are not resolved. (xoshiro128** step written out: a non-inlined nextUint32() call
      // would box its result on the heap.)
      const st = this.s;
      const s0 = st[0]!;
      const s1 = st[1]!;
      const s2 = st[2]! ^ s0;
      const s3 = st[3]! ^ s1;
      const m = Math.imul(s1, 5);
      const u = ((Math.imul((m << 7) | (m >>> 25), 9) >>> 0) + 0.5) * INV_TWO32;
      st[1] = s1 ^ s2;
      st[0] = s0 ^ s3;
      st[2] = s2 ^ (s1 << 9);
      st[3] = (s3 << 11) | (s3 >>> 21);
      // Squeeze: for mean < 1, e^{-mean} ≥ 1 − mean + mean²/2 − mean³/6, so u below that is k = 0
      // without evaluating the exponential (most draws at small means).
      if (mean < 1 && u < 1 - mean * (1 - mean * (0.5 - mean * (1 / 6)))) {
        io[1] = 0;
        return;
      }
      // Search from an approximation of e^{−mean} first (see INV_MARGIN): Math.exp is a C call
      // and was the largest cost of the inversion draws.
      const j = Math.floor(mean * 8);
      const r = mean - j * 0.125;
      let p = EXP_EIGHTHS[j]! * (1 - r * (1 - r * (0.5 - r * (1 / 6 - r * (1 / 24 - r * (1 / 120))))));
      let cdf = p;
      let below = 0;
      let k = 0;
      while (u >= cdf && k < INV_K_MAX) {
        k++;
        p *= mean * invK[k]!;
        below = cdf;
        cdf += p;
      }
      if (cdf - u > INV_MARGIN && (k === 0 || u - below > INV_MARGIN)) {
        io[1] = k;
        return;
      }
      p = Math.exp(-mean);
      cdf = p;
      k = 0;
      // The cap only guards against round-off leaving cdf < u for u extremely close to 1.
      while (u >= cdf && k < INV_K_MAX) {
        k++;
        p *= mean * invK[k]!;
        cdf += p;
      }
      io[1] = k;
      return;
    }
    // u, v use 32-bit resolution (one output each): ample for a rejection test.
    const slam = Math.sqrt(mean);
    const b = 0.931 + 2.53 * slam;
    const a = -0.059 + 0.02483 * b;
    const twoA = 2 * a;
    const vr = 0.9277 - 3.6224 / (b - 2);
    const lim = mean + 0.43;
    // xoshiro128** state in locals for the loop (steps written out; stored back on return).
    const st = this.s;
    let s0 = st[0]!;
    let s1 = st[1]!;
    let s2 = st[2]!;
    let s3 = st[3]!;
    for (;;) {
      let m = Math.imul(s1, 5);
      const r1 = Math.imul((m << 7) | (m >>> 25), 9) >>> 0;
      let t = s1 << 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= t;
      s3 = (s3 << 11) | (s3 >>> 21);
      m = Math.imul(s1, 5);
      const r2 = Math.imul((m << 7) | (m >>> 25), 9) >>> 0;
      t = s1 << 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= t;
      s3 = (s3 << 11) | (s3 >>> 21);
      const u = (r1 + 0.5) * INV_TWO32 - 0.5;
      const v = (r2 + 0.5) * INV_TWO32;
      const us = 0.5 - Math.abs(u);
      const k = Math.floor((twoA / us + b) * u + lim);
      if (us >= 0.07 && v <= vr) {
        this.io[1] = k;
        break;
      }
      if (k < 0 || (us < 0.013 && v > us)) continue;
      // Exact acceptance test.
      const invAlpha = 1.1239 + 1.1328 / (b - 3.4);
      let lf: number;
      if (k < LF_TABLE) lf = logFactTable[k | 0]!;
      else {
        // Stirling series, as logFactorial (written out: a non-inlined call would box k).
        const x = k + 1;
        const ix2 = 1 / (x * x);
        lf = (x - 0.5) * Math.log(x) - x + HALF_LOG_2PI + (1 / x) * (1 / 12 - ix2 * (1 / 360 - ix2 / 1260));
      }
      if (Math.log((v * invAlpha) / (a / (us * us) + b)) <= -mean + k * Math.log(mean) - lf) {
        this.io[1] = k;
        break;
      }
    }
    st[0] = s0;
    st[1] = s1;
    st[2] = s2;
    st[3] = s3;
  }
}
