import { modelIds } from '@frontline/sim';
import { describe, expect, it } from 'vitest';
import { warmUpSubmission } from '../src/sweep-service.js';

describe('warmUpSubmission (run by main.ts before the API listens)', () => {
  it('expands a throwaway design of every model, giving the event loop back between slices', async () => {
    let turnsMeanwhile = 0;
    const tick = () => {
      turnsMeanwhile++;
      if (!done) setImmediate(tick);
    };
    let done = false;
    setImmediate(tick);
    const expanded = await warmUpSubmission();
    done = true;
    expect(expanded).toEqual(Object.fromEntries(modelIds.map((model) => [model, 5_000])));
    // One slice of 100 points between turns: 2 models × 50 slices.
    expect(turnsMeanwhile).toBeGreaterThanOrEqual(100);
  });
});
