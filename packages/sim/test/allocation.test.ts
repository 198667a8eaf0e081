/**
 * "No allocation per step": after JIT warm-up, a patient's heap allocation must not grow with the
 * number of steps. Measured with V8's sampling heap profiler including objects already collected
 * by the young-generation GC. Allowed: the outcome object and a few per-patient values (< 1 KB
 * here); a single boxed double per step would be ≥ 16 B × ~3,300 steps ≈ 50 KB.
 */
import { Session } from 'node:inspector/promises';
import { describe, expect, it } from 'vitest';
import { resolveParams, simulatePatient } from '../src/index.js';

async function bytesPerPatient(overrides: Record<string, number>, n: number): Promise<number> {
  const p = resolveParams(overrides);
  for (let i = 0; i < 1500; i++) simulatePatient(p, { cohortSeed: 1, patientIndex: i }); // warm-up
  const session = new Session();
  session.connect();
  try {
    await session.post('HeapProfiler.enable');
    await session.post('HeapProfiler.startSampling', {
      samplingInterval: 512,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
    for (let i = 0; i < n; i++) simulatePatient(p, { cohortSeed: 2, patientIndex: i });
    const { profile } = await session.post('HeapProfiler.stopSampling');
    let total = 0;
    const walk = (node: typeof profile.head): void => {
      total += node.selfSize;
      for (const c of node.children) walk(c);
    };
    walk(profile.head);
    return total / n;
  } finally {
    session.disconnect();
  }
}

describe('allocation', () => {
  it('simulating a patient allocates O(1) memory, not O(steps)', async () => {
    expect(await bytesPerPatient({}, 500)).toBeLessThan(8000);
    expect(await bytesPerPatient({ dose: 10, immuneKill: 0.1 }, 300)).toBeLessThan(8000);
  });
});
