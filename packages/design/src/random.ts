/** A source of uniform numbers in [0, 1). */
export interface UniformSource {
  uniform(): number;
}

/** A uniformly random 32-bit unsigned integer. */
export function uniformBits32(source: UniformSource): number {
  return Math.floor(source.uniform() * 2 ** 32) >>> 0;
}

/** A uniformly random integer in [0, n). */
export function uniformIndex(source: UniformSource, n: number): number {
  return Math.min(n - 1, Math.floor(source.uniform() * n));
}
