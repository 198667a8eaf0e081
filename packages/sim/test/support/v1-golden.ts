import { createHash } from 'node:crypto';
import { resolveParams, simulatePatient } from '../../src/index.js';

/**
 * lf-tid@1 must stay bit-identical while the kernel is optimised and v2 is added beside it: SHA-256
 * of the JSON of 300 outcomes (every 50th with its trajectory) per point, recorded from the v1 kernel
 * before issue 15 (commit e3f55ac). JSON numbers round-trip exactly, so equal hashes mean equal bits.
 */
export const GOLDEN: [Record<string, number>, string][] = [
  [{}, '2265d36f33f5812380c44708b47e986e5ec5fe6762a147c71c3b669fda0f748c'],
  [{ dose: 0 }, '03e7c3ab9670aad3ce51725ca33638428f38da13ca8875b06f5815425d45921f'],
  [{ dose: 10, immuneKill: 0.1 }, '8d9f44e6ff36da54284f4cf9528b598a6e3e9d351b6e135ba104dc2940ce6554'],
  [{ emtPlasticity: 10, hill: 2 }, '421f6351a7adefbf374c149599b38b698d100333871d06e16262dc97b2508b6b'],
  [
    { stepDays: 0.5, stochasticThreshold: 1e5 },
    'e0854bb2b7581d78076adfca7284353c9b9586121a52c19b6b5dbcf00d194049',
  ],
];

/** The digest of 300 patients of cohort 11 at these overrides. */
export function goldenDigest(overrides: Record<string, number>): string {
  const p = resolveParams(overrides);
  const h = createHash('sha256');
  for (let i = 0; i < 300; i++) {
    h.update(
      JSON.stringify(simulatePatient(p, { cohortSeed: 11, patientIndex: i, trajectory: i % 50 === 0 })),
    );
  }
  return h.digest('hex');
}
