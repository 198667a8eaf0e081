import { describe, expect, it } from 'vitest';
import { GOLDEN, goldenDigest } from './support/v1-golden.js';

describe('lf-tid@1 golden outcomes', () => {
  for (const [overrides, digest] of GOLDEN) {
    it(`300 patients at ${JSON.stringify(overrides)} hash to the recorded digest`, () => {
      expect(goldenDigest(overrides)).toBe(digest);
    });
  }
});
