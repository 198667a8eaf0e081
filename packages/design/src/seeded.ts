import { Rng } from '@frontline/sim';
import type { UniformSource } from './random.js';

/**
 * Stream numbers of design draws. Far above any patient index, so a design seeded with the same
 * number as a cohort never shares a stream with a patient.
 */
export const DesignStream = { LatinHypercube: 2 ** 52 + 1, SobolScramble: 2 ** 52 + 2 } as const;
export type DesignStream = (typeof DesignStream)[keyof typeof DesignStream];

/** The uniform source for one use of a design seed (a non-negative safe integer). */
export function designSource(seed: number, stream: DesignStream): UniformSource {
  return new Rng(seed, stream);
}
