import { describe, expect, it } from 'vitest';
import { normalQuantile } from '../src/index.js';

/** [p, qnorm(p)] from R 4.2.2, printed with 17 significant digits. */
const R_QNORM: [number, number][] = [
  [1e-10, -6.3613409024040557],
  [0.001, -3.0902323061678132],
  [0.025, -1.9599639845400538],
  [0.05, -1.6448536269514726],
  [0.1, -1.2815515655446008],
  [0.3, -0.52440051270804067],
  [0.5, 0],
  [0.8, 0.84162123357291441],
  [0.95, 1.6448536269514715],
  [0.975, 1.9599639845400536],
  [0.995, 2.5758293035488999],
  [0.999999999, 5.9978070196016384],
];

describe('normalQuantile (AS 241, as R qnorm)', () => {
  it('matches R qnorm to 1e-15 across the central, near-tail and far-tail branches', () => {
    for (const [p, z] of R_QNORM) expect(Math.abs(normalQuantile(p) - z), `p=${p}`).toBeLessThan(1e-15);
  });

  it('is ±∞ at 0 and 1 and NaN outside [0, 1]', () => {
    expect(normalQuantile(0)).toBe(Number.NEGATIVE_INFINITY);
    expect(normalQuantile(1)).toBe(Number.POSITIVE_INFINITY);
    expect(normalQuantile(-0.1)).toBeNaN();
    expect(normalQuantile(1.5)).toBeNaN();
  });
});
