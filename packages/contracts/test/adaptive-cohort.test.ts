import { describe, expect, it } from 'vitest';
import { adaptiveCohortOf, cohortPatientsBound, parseSweepSpec, prepareSweep } from '../src/index.js';
import { issueSpec, type LooseSpec } from './fixtures.js';

/** The issue's 36-point grid with an adaptive cohort (horizon 730 days). */
function adaptiveSpec(cohort: LooseSpec = {}): LooseSpec {
  return {
    ...issueSpec(),
    cohort: {
      patients: { initial: 200, max: 20_000 },
      seed: 42,
      precision: { endpoint: 'os', metric: 'survivalAt', at: 730, halfWidth: 0.01 },
      ...cohort,
    },
  };
}

/** The error details of a spec parseSweepSpec refuses. */
function details(spec: LooseSpec) {
  const result = parseSweepSpec(spec);
  if (result.ok) throw new Error('expected a refusal');
  return { status: result.status, details: result.error.details };
}

describe('cohort.patients {initial, max} with cohort.precision', () => {
  it('accepts the issue example, defaults the endpoint to os, and bounds the cohort by max', () => {
    const spec = adaptiveSpec({ precision: { metric: 'rmst', halfWidth: 5 } });
    const result = parseSweepSpec(spec);
    if (!result.ok) throw result.error;
    expect(adaptiveCohortOf(result.spec.cohort)).toEqual({
      initial: 200,
      max: 20_000,
      precision: { endpoint: 'os', metric: 'rmst', halfWidth: 5 },
    });
    expect(cohortPatientsBound(result.spec.cohort)).toBe(20_000);
    expect(cohortPatientsBound({ patients: 500 })).toBe(500);
    expect(parseSweepSpec(adaptiveSpec()).ok).toBe(true);
  });

  it.each([
    [
      'initial > max',
      { patients: { initial: 500, max: 200 } },
      'cohort.patients.initial',
      'must be ≤ cohort.patients.max (got initial 500, max 200)',
    ],
    [
      'halfWidth 0',
      { precision: { metric: 'median', halfWidth: 0 } },
      'cohort.precision.halfWidth',
      'must be > 0',
    ],
    [
      'unknown metric',
      { precision: { metric: 'mean', halfWidth: 1 } },
      'cohort.precision.metric',
      'must be one of "survivalAt", "rmst", "median"',
    ],
    [
      'unknown endpoint',
      { precision: { endpoint: 'dfs', metric: 'median', halfWidth: 1 } },
      'cohort.precision.endpoint',
      'must be one of "os", "pfs", "mfs"',
    ],
    [
      'survivalAt without at',
      { precision: { metric: 'survivalAt', halfWidth: 0.01 } },
      'cohort.precision.at',
      'is required for metric survivalAt',
    ],
    [
      'at past the horizon',
      { precision: { metric: 'rmst', at: 731, halfWidth: 1 } },
      'cohort.precision.at',
      'must be ≤ the follow-up horizon of every point (horizonDays 730)',
    ],
    [
      'at with median',
      { precision: { metric: 'median', at: 100, halfWidth: 1 } },
      'cohort.precision.at',
      'is not used by metric median',
    ],
    [
      'no precision',
      { precision: undefined },
      'cohort.precision',
      'is required with an adaptive cohort ({initial, max})',
    ],
    [
      'precision with a fixed cohort',
      { patients: 500 },
      'cohort.precision',
      'applies only to an adaptive cohort: set cohort.patients to {initial, max}',
    ],
    [
      'max missing',
      { patients: { initial: 200 } },
      'cohort.patients',
      'must be a positive integer, or {initial, max} for an adaptive cohort',
    ],
    ['initial 0', { patients: { initial: 0, max: 10 } }, 'cohort.patients.initial', 'must be > 0'],
  ])('refuses %s with a 400 naming the field and the rule', (_name, cohort, path, rule) => {
    expect(details(adaptiveSpec(cohort))).toEqual({ status: 400, details: [{ path, rule }] });
  });

  it('works with every design: a saltelli design expands its N·(d+2) points with the adaptive cohort', () => {
    const spec = {
      ...adaptiveSpec(),
      design: {
        kind: 'saltelli',
        samples: 8,
        seed: 1,
        axes: { dose: { min: 0, max: 5 }, immuneKill: { min: 0.01, max: 0.1 } },
      },
      referenceArm: undefined,
    };
    const result = prepareSweep(spec);
    if (!result.ok) throw result.error;
    expect(result.expanded.points).toHaveLength(8 * (2 + 2));
    expect(cohortPatientsBound(result.spec.cohort)).toBe(20_000);
  });

  it('checks points × max against the simulations cap, by name', () => {
    // 36 points × 300,000 = 1.08·10⁷ > 10⁷ even though round 0 (36 × 200) is small: the bound counts.
    // Unset, outcomes would fall to summary above maxSimulations; with outcomes: full the cap is maxSimulations.
    const full = parseSweepSpec({
      ...adaptiveSpec({ patients: { initial: 200, max: 300_000 } }),
      outcomes: 'full',
    });
    if (full.ok) throw new Error('expected a refusal');
    expect(full.status).toBe(422);
    expect(full.error.message).toBe(
      'sweep needs 36 points × 300000 patients at most (cohort.patients.max) = 10800000 simulations; the limit with outcomes: full is 10000000 (maxSimulations); outcomes: summary keeps survival tables and point summaries only, for larger sweeps',
    );
  });
});
