import { defaultParams, defaultParamsV2, pointHashFor, resolveModelParams } from '@frontline/sim';
import { describe, expect, it } from 'vitest';
import type { SweepSpec } from '../src/index.js';
import {
  ApiError,
  checkSweepPointSlices,
  designAxisValues,
  expandSweep,
  parseSweepSpec,
  prepareSweep,
  storedPointBatches,
} from '../src/index.js';
import type { LooseSpec } from './fixtures.js';
import { issueSpec, sampledSpec } from './fixtures.js';

function accepted(input: unknown): { spec: SweepSpec; warnings: string[] } {
  const result = parseSweepSpec(input);
  if (!result.ok) throw new Error(`spec rejected: ${JSON.stringify(result.error.details)}`);
  return result;
}

describe('parseSweepSpec: valid specs', () => {
  it('accepts the issue spec and fills defaults', () => {
    const spec = issueSpec();
    delete spec.priority;
    delete spec.params;
    const { spec: parsed, warnings } = accepted(spec);
    expect(parsed.priority).toBe('normal');
    expect(parsed.params).toEqual({});
    expect(warnings).toEqual([]);
  });

  it('fills the linear scale default of sampled axes', () => {
    const { spec } = accepted(sampledSpec('lhs', 10));
    if (spec.design.kind === 'grid') throw new Error('expected a sampled design');
    expect(spec.design.axes.dose).toEqual({ min: 0, max: 10, scale: 'linear' });
  });

  it('warns when Sobol samples are not a power of two, and not when they are', () => {
    const { warnings } = accepted(sampledSpec('sobol', 100));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('100 is not a power of two');
    expect(warnings[0]).toContain('use 64 or 128');
    expect(accepted(sampledSpec('sobol', 128)).warnings).toEqual([]);
    expect(accepted(sampledSpec('lhs', 100)).warnings).toEqual([]);
  });

  it('accepts a reference arm outside a sampled range if the value is valid', () => {
    expect(accepted({ ...sampledSpec('lhs', 8), referenceArm: { dose: 0 } }).spec.referenceArm).toEqual({
      dose: 0,
    });
    const result = parseSweepSpec({ ...sampledSpec('lhs', 8), referenceArm: { dose: -1 } });
    expect(result.ok ? [] : result.error.details).toEqual([
      { path: 'referenceArm.dose', rule: 'must be ≥ 0' },
    ]);
  });
});

describe('expandSweep', () => {
  it('expands the issue grid into 36 points, first axis slowest, with resolved params and hashes', () => {
    const { axes, points, warnings } = expandSweep(accepted(issueSpec()).spec);
    expect(axes).toEqual(['dose', 'immuneKill', 'emtPlasticity']);
    expect(points).toHaveLength(36);
    expect(warnings).toEqual([]);
    expect(points.map((p) => p.index)).toEqual(Array.from({ length: 36 }, (_, i) => i));
    expect(points[0]!.axisValues).toEqual({ dose: 0, immuneKill: 0.01, emtPlasticity: 0.1 });
    expect(points[1]!.axisValues).toEqual({ dose: 0, immuneKill: 0.01, emtPlasticity: 1 });
    expect(points[35]!.axisValues).toEqual({ dose: 5, immuneKill: 0.1, emtPlasticity: 10 });
    const doses = points.map((p) => p.axisValues.dose);
    expect(doses.filter((d) => d === 2)).toHaveLength(9);
    const p13 = points[13]!;
    // No `model`: a new sweep runs lf-tid@2.
    expect(p13.params).toEqual({ ...defaultParamsV2, horizonDays: 730, ...p13.axisValues });
    const resolved = resolveModelParams('lf-tid@2', { horizonDays: 730, ...p13.axisValues });
    expect(p13.params).toEqual(resolved);
    expect(p13.pointHash).toBe(pointHashFor('lf-tid@2', resolved));
    expect(new Set(points.map((p) => p.pointHash)).size).toBe(36);
  });

  it.each(['lhs', 'sobol'] as const)(
    'expands a %s design into `samples` points inside each axis range',
    (kind) => {
      const { axes, points } = expandSweep(accepted(sampledSpec(kind, 64)).spec);
      expect(axes).toEqual(['dose', 'seedingRate', 'leaderSuppression']);
      expect(points).toHaveLength(64);
      for (const { axisValues, params } of points) {
        expect(Object.keys(axisValues)).toEqual(axes);
        expect(axisValues.dose).toBeGreaterThanOrEqual(0);
        expect(axisValues.dose).toBeLessThan(10);
        expect(axisValues.seedingRate).toBeGreaterThanOrEqual(1e-6);
        expect(axisValues.seedingRate).toBeLessThan(1e-4);
        expect(params.dose).toBe(axisValues.dose);
        expect(params.seedingRate).toBe(axisValues.seedingRate);
        expect(params.horizonDays).toBe(defaultParams.horizonDays);
      }
      // Stratified on every axis: one point in each of 64 equal bins (in log space for seedingRate).
      const bins = (values: number[]) => new Set(values.map((u) => Math.floor(u * 64))).size;
      expect(bins(points.map((p) => p.axisValues.dose! / 10))).toBe(64);
      expect(bins(points.map((p) => Math.log(p.axisValues.seedingRate! / 1e-6) / Math.log(100)))).toBe(64);
      expect(bins(points.map((p) => p.axisValues.leaderSuppression! / 5))).toBe(64);
    },
  );

  it('carries the Sobol power-of-two warning', () => {
    expect(expandSweep(accepted(sampledSpec('sobol', 100)).spec).warnings[0]).toContain('not a power of two');
  });

  it('is deterministic: the same spec gives the same points and hashes', () => {
    for (const input of [issueSpec(), sampledSpec('lhs', 32), sampledSpec('sobol', 32)]) {
      const a = expandSweep(accepted(input).spec);
      const b = expandSweep(accepted(structuredClone(input)).spec);
      expect(b).toEqual(a);
    }
  });

  it('changes sampled points with the design seed, not with the cohort seed', () => {
    const base = sampledSpec('sobol', 16);
    const points = (spec: LooseSpec) => expandSweep(accepted(spec).spec).points.map((p) => p.axisValues);
    const otherDesignSeed = structuredClone(base);
    otherDesignSeed.design.seed = 8;
    const otherCohortSeed = structuredClone(base);
    otherCohortSeed.cohort.seed = 4;
    expect(points(otherDesignSeed)).not.toEqual(points(base));
    expect(points(otherCohortSeed)).toEqual(points(base));
  });

  it('names the points whose combination of axis values breaks a cross-parameter rule (400, not a crash)', () => {
    // Each value is valid alone; growthRate 0.0015 with emtPlasticity 10 never reaches diagnosis.
    const input = {
      name: 'slow growth',
      design: { kind: 'grid', axes: { growthRate: [0.0015, 0.025], emtPlasticity: [1, 10] } },
      cohort: { patients: 10, seed: 1 },
    };
    const { spec } = accepted(input);
    let thrown: unknown;
    try {
      expandSweep(spec);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ApiError);
    const error = thrown as ApiError;
    expect(error.status).toBe(400);
    expect(error.code).toBe('validation_failed');
    expect(error.details).toHaveLength(1);
    expect(error.details![0]!.path).toBe('design (point 1: growthRate=0.0015, emtPlasticity=10)');
    expect(error.details![0]!.rule).toContain('growthRate: too slow');

    const prepared = prepareSweep(input);
    expect(prepared.ok).toBe(false);
    if (!prepared.ok) expect(prepared.status).toBe(400);
  });

  it('prepareSweep parses and expands in one step', () => {
    const prepared = prepareSweep(issueSpec());
    expect(prepared.ok).toBe(true);
    if (prepared.ok) expect(prepared.expanded.points).toHaveLength(36);
    const rejected = prepareSweep({ ...issueSpec(), priority: 'urgent' });
    expect(rejected.ok ? 0 : rejected.status).toBe(400);
  });
});

describe('storedPointBatches: the points a submission stores, none of them built', () => {
  /** Each point as stored against expandSweep's: same index, axis values, hash and role; base || changes its params. */
  function expectSameAsExpanded(input: unknown, batchSize: number, from = 0) {
    const { spec } = accepted(input);
    const expanded = expandSweep(spec).points.slice(from);
    const stored = [...storedPointBatches(spec, batchSize, from)];
    expect(stored.slice(0, -1).every((batch) => batch.length === batchSize)).toBe(true);
    const points = stored.flat();
    expect(points).toHaveLength(expanded.length);
    points.forEach((point, i) => {
      const { params, ...rest } = expanded[i]!;
      const { changes, base, ...same } = point;
      expect(same).toStrictEqual(rest);
      expect({ ...base, ...JSON.parse(changes) }).toStrictEqual({ ...params });
      expect(base).toBe(points[0]!.base);
    });
    return points;
  }

  it('gives the grid, LHS, Sobol and Saltelli designs of both models as expandSweep does', () => {
    expectSameAsExpanded(issueSpec(), 7);
    expectSameAsExpanded(sampledSpec('lhs', 50), 16, 5);
    expectSameAsExpanded({ ...sampledSpec('sobol', 64), model: 'lf-tid@2' }, 64);
    expectSameAsExpanded(
      {
        name: 'saltelli',
        design: {
          kind: 'saltelli',
          samples: 8,
          seed: 2,
          axes: { dose: { min: 0, max: 5 }, immuneKill: { min: 0.01, max: 0.1 } },
        },
        cohort: { patients: 10, seed: 1 },
      },
      5,
    );
  });

  it('stores a grid point of the base itself with no changes', () => {
    const dose = defaultParams.dose;
    const points = expectSameAsExpanded(
      { ...issueSpec(), referenceArm: undefined, design: { kind: 'grid', axes: { dose: [dose + 1, dose] } } },
      10,
    );
    expect(points.map((p) => p.changes)).toEqual([`{"dose":${dose + 1}}`, '{}']);
  });

  it('reads a design the caller generated once (the check and the writes share it)', () => {
    const { spec } = accepted(sampledSpec('lhs', 20));
    const design = designAxisValues(spec);
    const points = [...storedPointBatches(spec, 8, 4, design)].flat();
    expect(points).toHaveLength(16);
    for (const [i, point] of points.entries()) expect(point.axisValues).toBe(design[4 + i]);
    // The check reads the given design: one with an invalid value is refused, the spec's own is not.
    expect([...checkSweepPointSlices(spec, 5)]).toHaveLength(4);
    const broken = design.map((values, i) => (i === 7 ? { ...values, dose: -1 } : values));
    expect(() => [...checkSweepPointSlices(spec, 5, broken)]).toThrow(/point 7: dose=-1/);
  });

  it('throws the same 400 as expandSweep for points that break a rule', () => {
    const { spec } = accepted({
      name: 'slow growth',
      design: { kind: 'grid', axes: { growthRate: [0.0015, 0.025], emtPlasticity: [1, 10] } },
      cohort: { patients: 10, seed: 1 },
    });
    const thrown = (run: () => unknown) => {
      try {
        run();
      } catch (error) {
        return error;
      }
      return undefined;
    };
    const expected = thrown(() => expandSweep(spec)) as ApiError;
    const actual = thrown(() => [...storedPointBatches(spec, 1)]) as ApiError;
    expect(actual).toBeInstanceOf(ApiError);
    expect({ status: actual.status, message: actual.message, details: actual.details }).toStrictEqual({
      status: expected.status,
      message: expected.message,
      details: expected.details,
    });
  });
});

describe('the model of a sweep', () => {
  const details = (input: unknown) => {
    const result = parseSweepSpec(input);
    return result.ok ? [] : (result.error.details ?? []);
  };

  it('runs lf-tid@1 when asked, with v1 parameters and v1 hashes, never sharing a point with v2', () => {
    const v1 = expandSweep(accepted({ ...issueSpec(), model: 'lf-tid@1' }).spec);
    const v2 = expandSweep(accepted(issueSpec()).spec);
    expect([v1.modelId, v2.modelId]).toEqual(['lf-tid@1', 'lf-tid@2']);
    const p = v1.points[13]!;
    expect(p.params).toEqual({ ...defaultParams, horizonDays: 730, ...p.axisValues });
    expect(p.pointHash).toBe(pointHashFor('lf-tid@1', resolveModelParams('lf-tid@1', p.params)));
    const v2Hashes = new Set(v2.points.map((q) => q.pointHash));
    expect(v1.points.filter((q) => v2Hashes.has(q.pointHash))).toEqual([]);
  });

  it('sweeps v2 schedule axes (doseInterval, cycles) and takes doseDays as a list in params', () => {
    const spec = accepted({
      ...issueSpec(),
      design: { kind: 'grid', axes: { dose: [2, 4], doseInterval: [14, 21], cycles: [4, 6] } },
      params: { scanIntervalDays: 56, doseDays: [] },
      referenceArm: undefined,
    }).spec;
    const { points } = expandSweep(spec);
    expect(points).toHaveLength(8);
    expect(points[7]!.params).toMatchObject({
      dose: 4,
      doseInterval: 21,
      cycles: 6,
      scanIntervalDays: 56,
      doseDays: [],
    });
    const listed = expandSweep(
      accepted({ ...issueSpec(), params: { doseDays: [0, 14, 35] }, referenceArm: undefined }).spec,
    );
    expect(listed.points[0]!.params).toMatchObject({ doseDays: [0, 14, 35] });
  });

  it('names the field and the rule for parameters that do not fit the model', () => {
    expect(details({ ...issueSpec(), model: 'lf-tid@3' })).toEqual([
      { path: 'model', rule: 'must be one of "lf-tid@1", "lf-tid@2"' },
    ]);
    expect(details({ ...issueSpec(), params: { cycleDays: 14 } })).toEqual([
      {
        path: 'params.cycleDays',
        rule: 'unknown parameter of lf-tid@2 (lf-tid@2 calls it `doseInterval`); see GET /v1/model/parameters or `frontline params`',
      },
    ]);
    expect(details({ ...issueSpec(), model: 'lf-tid@1', params: { toxicity: 0 } })).toEqual([
      {
        path: 'params.toxicity',
        rule: 'unknown parameter of lf-tid@1 (`toxicity` is an lf-tid@2 parameter: set "model": "lf-tid@2"); see GET /v1/model/parameters or `frontline params`',
      },
    ]);
    const axisList = details({ ...issueSpec(), design: { kind: 'grid', axes: { doseDays: [0, 21] } } });
    expect(axisList).toContainEqual({
      path: 'design.axes.doseDays',
      rule: 'doseDays is a list of days, not an axis; set it in params',
    });
    expect(details({ ...issueSpec(), params: { doseDays: 21 } })).toEqual([
      { path: 'params.doseDays', rule: 'must be a list of days' },
    ]);
    expect(details({ ...issueSpec(), params: { dose: [1, 2] } })).toContainEqual({
      path: 'params.dose',
      rule: 'is also a design axis; set it in one place only',
    });
    expect(details({ ...issueSpec(), params: { horizonDays: [1, 2] } })).toEqual([
      { path: 'params.horizonDays', rule: 'must be a number, not a list' },
    ]);
    const descending = details({ ...issueSpec(), params: { doseDays: [21, 0] } });
    expect(descending.map((d) => d.path)).toEqual(['params.doseDays']);
    expect(descending[0]!.rule).toContain('strictly ascending');
    const badInterval = details({
      ...issueSpec(),
      design: { kind: 'grid', axes: { doseInterval: [21, 0] } },
      referenceArm: undefined,
    });
    expect(badInterval.map((d) => d.path)).toEqual(['design.axes.doseInterval[1]']);
    const lhsCycles = details({
      ...issueSpec(),
      design: { kind: 'lhs', samples: 8, seed: 1, axes: { cycles: { min: 1, max: 6 } } },
      referenceArm: undefined,
    });
    expect(lhsCycles).toContainEqual({
      path: 'design.axes.cycles',
      rule: 'cycles takes integer values; vary it in a grid design instead',
    });
  });
});
