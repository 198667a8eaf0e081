/**
 * A dry run expands the whole design to plan it. It must give the event loop back while it does, as a
 * submission's expansion does: a design of 10⁵ points takes ~0.7 s of CPU, and in one step no other
 * request (another tenant's, a health check) would be answered meanwhile. The API runs in this process,
 * so the turns it gives back are counted on the function it awaits for them (node:timers/promises'
 * setImmediate, wrapped to count calls; nothing else of it changes). No timing is asserted.
 */
import { setImmediate } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Harness, startHarness } from './support/harness.js';
import { lateInvalidSpec, sampledSpec } from './support/sweep-points.js';

vi.mock('node:timers/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:timers/promises')>();
  return { ...actual, setImmediate: vi.fn(actual.setImmediate) };
});

const points = 20_000;
const spec = { ...sampledSpec(points, 9311, 2), outcomes: 'summary' };

describe('a dry run of a large design gives the event loop back while it expands', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(async () => {
    await harness?.stop();
  });

  it('plans 20,000 points, turning the event loop at least once per 100 points, and writes nothing', async () => {
    const { rows: before } = await harness.pool.query('select count(*)::int as n from sweep_points');
    const turns = vi.mocked(setImmediate);
    turns.mockClear();
    const dry = await harness.request('POST', '/v1/sweeps?dryRun=true', spec);
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({
      dryRun: true,
      points,
      patients: 2,
      simulations: 2 * points,
      reused: 0,
      toSimulate: 2 * points,
    });
    // One turn per slice of 100 points (expansionSlice); expanded in one step it was none.
    expect(turns.mock.calls.length).toBeGreaterThanOrEqual(points / 100);
    const { rows: after } = await harness.pool.query('select count(*)::int as n from sweep_points');
    expect(after[0].n).toBe(before[0].n);
  }, 60_000);

  it('answers as a submission does (400) when a point past the first slices breaks a rule, and writes nothing', async () => {
    const { rows: before } = await harness.pool.query('select count(*)::int as n from sweeps');
    // 3,002 grid points: only the last (growthRate 0.0015 with emtPlasticity 10) breaks a rule.
    const dry = await harness.request('POST', '/v1/sweeps?dryRun=true', lateInvalidSpec());
    expect(dry.status).toBe(400);
    expect(dry.body.error.message).toMatch(
      /^1 of 3002 sweep points break a parameter rule; first: design \(point 3001: growthRate=0\.0015/,
    );
    // The same answer as submitting it.
    const submitted = await harness.request('POST', '/v1/sweeps', lateInvalidSpec());
    expect(submitted.status).toBe(400);
    expect(submitted.body.error.message).toBe(dry.body.error.message);
    const { rows: after } = await harness.pool.query('select count(*)::int as n from sweeps');
    expect(after[0].n).toBe(before[0].n);
  });
});
