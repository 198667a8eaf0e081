import type { UniformSource } from './random.js';

/** Independent random streams per use of a design seed, so LHS and Sobol draws never overlap. */
export const DesignStream = { LatinHypercube: 1, SobolScramble: 2 } as const;
export type DesignStream = (typeof DesignStream)[keyof typeof DesignStream];

// TEMPORARY stand-in until @frontline/sim's Rng lands: splitmix32 over (seed, stream).
export function designSource(seed: number, stream: DesignStream): UniformSource {
  let state = (Math.imul(seed >>> 0, 0x9e3779b9) ^ Math.imul(stream, 0x85ebca6b)) >>> 0;
  return {
    uniform() {
      state = (state + 0x9e3779b9) >>> 0;
      let z = state;
      z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
      z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
      return ((z ^ (z >>> 15)) >>> 0) / 2 ** 32;
    },
  };
}
