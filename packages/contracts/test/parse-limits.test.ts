import { describe, expect, it } from 'vitest';
import {
  chunkSizeOf,
  DEFAULT_BODY_LIMIT_BYTES,
  defaultChunkSizeFor,
  defaultSweepLimits,
  outcomeRetentionOf,
  parseSweepSpec,
  type SweepSpec,
} from '../src/index.js';
import { issueSpec, sampledSpec } from './fixtures.js';

describe('parseSweepSpec: limits', () => {
  it('has the documented defaults', () => {
    expect(defaultSweepLimits).toEqual({
      maxPoints: 100_000,
      maxPatientsPerPoint: 1_000_000,
      maxSimulations: 10_000_000,
      maxSummarySimulations: 1_000_000_000,
      maxChunksPerSweep: 500_000,
      chunkWindow: 1_000,
      pointsBeforeReply: 5_000,
      maxBodyBytes: 1024 * 1024,
    });
    expect(DEFAULT_BODY_LIMIT_BYTES).toBe(1_048_576);
  });

  it('rejects too many grid points with 422 naming maxPoints, before expanding', () => {
    const spec = issueSpec();
    // 1000 × 1000 × 3 = 3,000,000 points: counted from the axis lengths, never expanded.
    spec.design.axes.dose = Array.from({ length: 1000 }, (_, i) => i / 100);
    spec.design.axes.immuneKill = Array.from({ length: 1000 }, (_, i) => i / 10_000);
    const result = parseSweepSpec(spec);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.status).toBe(422);
    expect(result.error.code).toBe('limit_exceeded');
    expect(result.error.message).toContain('3000000 points');
    expect(result.error.message).toContain('maxPoints');
    expect(result.error.details).toEqual([{ path: 'design', rule: 'at most 100000 points (maxPoints)' }]);
  });

  it('rejects too many samples with 422 naming maxPoints', () => {
    const result = parseSweepSpec(sampledSpec('lhs', 100_001));
    expect(result.ok ? 0 : result.status).toBe(422);
    if (!result.ok) expect(result.error.message).toContain('maxPoints');
  });

  it('rejects too many patients per point with 422 naming maxPatientsPerPoint', () => {
    const spec = issueSpec();
    spec.cohort.patients = 1_000_001;
    const result = parseSweepSpec(spec);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.status).toBe(422);
    expect(result.error.message).toContain('maxPatientsPerPoint');
    expect(result.error.details?.[0]?.path).toBe('cohort.patients');
  });

  it('rejects a full sweep over the cap with 422 naming maxSimulations and the summary option', () => {
    const spec = issueSpec();
    spec.outcomes = 'full';
    spec.cohort.patients = 277_778; // × 36 points = 10,000,008
    const result = parseSweepSpec(spec);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.status).toBe(422);
    expect(result.error.message).toContain('36 points × 277778 patients = 10000008 simulations');
    expect(result.error.message).toContain('the limit with outcomes: full is 10000000 (maxSimulations)');
    expect(result.error.message).toContain('outcomes: summary');
  });

  it('defaults to outcomes: summary past maxSimulations, capped at 10⁹ (maxSummarySimulations)', () => {
    const spec = issueSpec();
    spec.cohort.patients = 277_778;
    expect(outcomeRetentionOf(spec as SweepSpec)).toBe('summary');
    expect(outcomeRetentionOf(issueSpec() as SweepSpec)).toBe('full');
    expect(parseSweepSpec(spec).ok).toBe(true);
    spec.cohort.patients = 1_000_000;
    spec.design.axes = { dose: Array.from({ length: 1001 }, (_, i) => i / 100) };
    (spec.cohort as { chunkSize?: number }).chunkSize = 1_000_000;
    const result = parseSweepSpec(spec, { ...defaultSweepLimits, maxChunksPerSweep: 1_000_000 });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.message).toContain(
      'the limit with outcomes: summary is 1000000000 (maxSummarySimulations)',
    );
  });

  it('accepts a sweep exactly at the simulation cap', () => {
    const spec = issueSpec();
    spec.design.axes = { dose: [0, 1, 2, 5] };
    spec.cohort.patients = 1_000_000; // 4 points × 1e6 patients = 4e6 simulations
    const result = parseSweepSpec(spec, { ...defaultSweepLimits, maxSimulations: 4_000_000 });
    expect(result.ok).toBe(true);
  });

  it('takes limits as configuration', () => {
    const limits = { ...defaultSweepLimits, maxPoints: 10 };
    const result = parseSweepSpec(issueSpec(), limits);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.message).toBe('sweep has 36 points; the limit is 10 (maxPoints)');
    expect(parseSweepSpec(issueSpec()).ok).toBe(true);
  });

  it('rejects a raw JSON body over maxBodyBytes with 413', () => {
    const text = JSON.stringify({ ...issueSpec(), name: 'x'.repeat(2000) });
    const result = parseSweepSpec(text, { ...defaultSweepLimits, maxBodyBytes: 1000 });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.status).toBe(413);
    expect(result.error.code).toBe('payload_too_large');
    expect(result.error.message).toContain('maxBodyBytes');
    expect(parseSweepSpec(JSON.stringify(issueSpec())).ok).toBe(true);
  });

  it('rejects more chunks than maxChunksPerSweep with 422 naming cohort.chunkSize and the size needed', () => {
    // The issue's attack: 200,000 chunks of one patient each, allowed by every other limit.
    const spec = issueSpec();
    spec.design.axes = { dose: [0, 1, 2, 5] };
    spec.cohort = { patients: 50_000, seed: 1, chunkSize: 1 };
    const limits = { ...defaultSweepLimits, maxChunksPerSweep: 10_000 };
    const result = parseSweepSpec(spec, limits);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.status).toBe(422);
    expect(result.error.code).toBe('limit_exceeded');
    expect(result.error.message).toBe(
      'sweep needs ⌈200000 simulations / chunkSize 1⌉ = 200000 chunks; the limit is 10000 ' +
        '(maxChunksPerSweep): use cohort.chunkSize ≥ 20',
    );
    expect(result.error.details).toEqual([
      {
        path: 'cohort.chunkSize',
        rule: '⌈points × patients / chunkSize⌉ at most 10000 (maxChunksPerSweep): chunkSize ≥ 20',
      },
    ]);
    // The size it names fits exactly; one less does not.
    expect(parseSweepSpec({ ...spec, cohort: { ...spec.cohort, chunkSize: 20 } }, limits).ok).toBe(true);
    expect(parseSweepSpec({ ...spec, cohort: { ...spec.cohort, chunkSize: 19 } }, limits).ok).toBe(false);
    // The default limit (500,000) takes it: the window, not the chunk count, bounds what Redis holds.
    expect(parseSweepSpec(spec).ok).toBe(true);
  });

  it('counts chunks at the default chunk size over points × patients: many small points share chunks', () => {
    const spec = issueSpec();
    spec.design.axes = { dose: [0, 1, 2, 5] };
    spec.cohort = { patients: 1_000_000, seed: 1 }; // ⌈4e6 / 2000⌉ = 2,000 chunks
    expect(parseSweepSpec(spec).ok).toBe(true);
    const tight = parseSweepSpec(spec, { ...defaultSweepLimits, maxChunksPerSweep: 1_000 });
    expect(tight.ok ? '' : tight.error.message).toContain('the default chunkSize 2000⌉ = 2000 chunks');
    expect(tight.ok ? [] : tight.error.details).toEqual([
      {
        path: 'cohort.chunkSize',
        rule: '⌈points × patients / chunkSize⌉ at most 1000 (maxChunksPerSweep): chunkSize ≥ 4000',
      },
    ]);

    // 10,001 points of one patient: once one chunk each (over the old limit), now 6 chunks.
    const sampled = sampledSpec('lhs', 10_001);
    sampled.cohort = { patients: 1, seed: 1 };
    expect(parseSweepSpec(sampled, { ...defaultSweepLimits, maxChunksPerSweep: 6 }).ok).toBe(true);
    const over = parseSweepSpec(sampled, { ...defaultSweepLimits, maxChunksPerSweep: 5 });
    expect(over.ok ? [] : over.error.details).toEqual([
      {
        path: 'cohort.chunkSize',
        rule: '⌈points × patients / chunkSize⌉ at most 5 (maxChunksPerSweep): chunkSize ≥ 2001',
      },
    ]);
  });

  it('grows the default chunk with the sweep: 2,000 up to 4·10⁶ simulations, 2,000 chunks, then 20,000 from 4·10⁷', () => {
    expect(defaultChunkSizeFor(1)).toBe(2_000);
    expect(defaultChunkSizeFor(100_000)).toBe(2_000);
    expect(defaultChunkSizeFor(4_000_000)).toBe(2_000);
    expect(defaultChunkSizeFor(4_000_001)).toBe(2_001);
    expect(defaultChunkSizeFor(10_000_000)).toBe(5_000);
    expect(defaultChunkSizeFor(40_000_000)).toBe(20_000);
    expect(defaultChunkSizeFor(100_000_000)).toBe(20_000);
    // 10⁹ (the summary cap) is 50,000 chunks: far under maxChunksPerSweep.
    expect(Math.ceil(1e9 / defaultChunkSizeFor(1e9))).toBe(50_000);

    // From the spec: points × patients (an adaptive cohort at its max); cohort.chunkSize always wins.
    const spec = issueSpec(); // 4 × 3 × 3 = 36 points
    spec.cohort = { patients: 1_000_000, seed: 1 };
    expect(chunkSizeOf(spec as SweepSpec)).toBe(18_000);
    expect(chunkSizeOf({ ...spec, cohort: { patients: 1_000, seed: 1 } } as SweepSpec)).toBe(2_000);
    expect(
      chunkSizeOf({ ...spec, cohort: { patients: 1_000_000, seed: 1, chunkSize: 500 } } as SweepSpec),
    ).toBe(500);
    expect(
      chunkSizeOf({
        ...spec,
        cohort: { patients: { initial: 1_000, max: 1_000_000 }, seed: 1 },
      } as SweepSpec),
    ).toBe(18_000);
    // The chunk limit counts at that size: 36 × 10⁶ / 18,000 = 2,000 chunks.
    const tight = parseSweepSpec(spec, { ...defaultSweepLimits, maxChunksPerSweep: 1_999 });
    expect(tight.ok ? '' : tight.error.message).toContain('the default chunkSize 18000⌉ = 2000 chunks');
  });
});
