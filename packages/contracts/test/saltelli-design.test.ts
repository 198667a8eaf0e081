import { saltelliMatrices, scaleUnit } from '@frontline/design';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SweepSpec } from '../src/index.js';
import {
  ApiError,
  defaultSweepLimits,
  expandSweep,
  parseSweepSpec,
  prepareSweep,
  sweepPointCount,
  sweepPointRole,
} from '../src/index.js';
import type { LooseSpec } from './fixtures.js';

/** The three mission axes in a Saltelli design. */
function saltelliSpec(samples = 16): LooseSpec {
  return {
    name: 'which parameter matters',
    design: {
      kind: 'saltelli',
      samples,
      seed: 5,
      axes: {
        dose: { min: 0, max: 5 },
        immuneKill: { min: 0.01, max: 0.1, scale: 'log' },
        emtPlasticity: { min: 0.1, max: 10, scale: 'log' },
      },
    },
    cohort: { patients: 200, seed: 42, chunkSize: 200 },
  };
}

function accepted(input: unknown): { spec: SweepSpec; warnings: string[] } {
  const result = parseSweepSpec(input);
  if (!result.ok) throw new Error(`spec rejected: ${JSON.stringify(result.error.details)}`);
  return result;
}

function rejected(input: unknown) {
  const result = parseSweepSpec(input);
  if (result.ok) throw new Error('spec accepted');
  return { status: result.status, message: result.error.message, details: result.error.details };
}

describe('saltelli design: parse', () => {
  it('accepts the design, fills the linear scale default and counts N·(d+2) points', () => {
    const { spec, warnings } = accepted(saltelliSpec(16));
    expect(warnings).toEqual([]);
    if (spec.design.kind !== 'saltelli') throw new Error('expected a saltelli design');
    expect(spec.design.axes.dose).toEqual({ min: 0, max: 5, scale: 'linear' });
    expect(sweepPointCount(spec)).toBe(16 * (3 + 2));
  });

  it('warns when samples are not a power of two', () => {
    const { warnings } = accepted(saltelliSpec(24));
    expect(warnings).toEqual([
      'design.samples: 24 is not a power of two; the A and B matrices (Sobol points) are balanced only at powers of two (use 16 or 32)',
    ]);
  });

  it.each([
    ['samples below 2', (s: LooseSpec) => (s.design.samples = 1), 'design.samples', 'must be ≥ 2'],
    [
      'fractional samples',
      (s: LooseSpec) => (s.design.samples = 8.5),
      'design.samples',
      'must be an integer',
    ],
    ['missing seed', (s: LooseSpec) => delete s.design.seed, 'design.seed', 'is required'],
    ['unknown key', (s: LooseSpec) => (s.design.levels = 3), 'design.levels', 'unknown key'],
    [
      'min ≥ max',
      (s: LooseSpec) => (s.design.axes.dose = { min: 5, max: 5 }),
      'design.axes.dose',
      'min must be < max (got min 5, max 5)',
    ],
    [
      'log scale with min 0',
      (s: LooseSpec) => (s.design.axes.immuneKill.min = 0),
      'design.axes.immuneKill.min',
      'log scale needs min > 0',
    ],
    [
      'unknown parameter',
      (s: LooseSpec) => (s.design.axes.doze = { min: 0, max: 1 }),
      'design.axes.doze',
      'unknown parameter',
    ],
    [
      'integer parameter',
      (s: LooseSpec) => (s.design.axes.cycles = { min: 1, max: 8 }),
      'design.axes.cycles',
      'integer values',
    ],
    [
      'more axes than the Sobol dimensions allow',
      (s: LooseSpec) => {
        s.design.axes = Object.fromEntries(
          Array.from({ length: 33 }, (_, i) => [`p${i}`, { min: 0, max: 1 }]),
        );
      },
      'design.axes',
      'at most 32 axes in a saltelli design',
    ],
  ])('%s → 400 naming %s', (_, mutate, path, rule) => {
    const spec = saltelliSpec();
    mutate(spec);
    const { status, details } = rejected(spec);
    expect(status).toBe(400);
    expect(details).toContainEqual({ path, rule: expect.stringContaining(rule) });
  });

  it('names the saltelli kind among the allowed design kinds', () => {
    const spec = saltelliSpec();
    spec.design.kind = 'saltely';
    expect(rejected(spec).details).toEqual([
      { path: 'design.kind', rule: 'must be one of "grid", "lhs", "sobol", "saltelli"' },
    ]);
  });

  it('counts N·(d+2) against maxPoints and says so', () => {
    // 8192 × 5 = 40 960 ≤ 100 000, but 32 768 × 5 = 163 840 is not.
    const { status, message, details } = rejected(saltelliSpec(32_768));
    expect(status).toBe(422);
    expect(message).toBe(
      `sweep has 32768 samples × (3 axes + 2) = 163840 points; the limit is ${defaultSweepLimits.maxPoints} (maxPoints)`,
    );
    expect(details).toEqual([{ path: 'design', rule: 'at most 100000 points (maxPoints)' }]);
  });
});

describe('saltelli design: expand', () => {
  const { spec } = accepted(saltelliSpec(8));
  const { points, axes } = expandSweep(spec);
  const n = 8;

  it('expands to the A, B and AB_i rows of the design, scaled onto the axes', () => {
    expect(axes).toEqual(['dose', 'immuneKill', 'emtPlasticity']);
    expect(points).toHaveLength(40);
    const { a, b, ab } = saltelliMatrices(n, 3, 5);
    const unitRows = [...a, ...b, ...ab.flat()];
    const ranges = [
      { min: 0, max: 5 },
      { min: 0.01, max: 0.1, scale: 'log' as const },
      { min: 0.1, max: 10, scale: 'log' as const },
    ];
    points.forEach((point, index) => {
      expect(Object.values(point.axisValues)).toEqual(
        unitRows[index]!.map((u, k) => scaleUnit(u, ranges[k]!)),
      );
      expect(point.params.dose).toBe(point.axisValues.dose);
    });
  });

  it('tags each point with its role, the same one the index alone gives', () => {
    expect(points[0]!.saltelli).toEqual({ block: 'A', row: 0 });
    expect(points[n + 3]!.saltelli).toEqual({ block: 'B', row: 3 });
    expect(points[(2 + 1) * n + 5]!.saltelli).toEqual({ block: 'AB', factor: 1, row: 5 });
    for (const point of points) expect(sweepPointRole(spec, point.index)).toEqual(point.saltelli);
  });

  it('AB_i points equal the A point of their row except on axis i, which is the B point’s', () => {
    for (const point of points) {
      const role = point.saltelli!;
      if (role.block !== 'AB') continue;
      axes.forEach((axis, k) => {
        const source = k === role.factor ? points[n + role.row]! : points[role.row]!;
        expect(point.axisValues[axis]).toBe(source.axisValues[axis]);
      });
    }
  });

  it('is reproducible: the same spec gives the same points and hashes', () => {
    const again = expandSweep(accepted(saltelliSpec(8)).spec).points;
    expect(again.map((p) => p.pointHash)).toEqual(points.map((p) => p.pointHash));
    const reseeded = saltelliSpec(8);
    reseeded.design.seed = 6;
    expect(expandSweep(accepted(reseeded).spec).points[0]!.pointHash).not.toBe(points[0]!.pointHash);
  });

  it('other designs have no role', () => {
    const grid = accepted({ ...saltelliSpec(), design: { kind: 'grid', axes: { dose: [0, 1] } } }).spec;
    expect(expandSweep(grid).points[0]!.saltelli).toBeUndefined();
    expect(sweepPointRole(grid, 0)).toBeUndefined();
  });
});

describe('saltelli design: any one field replaced fails as a 400, 413 or 422, never a 500', () => {
  /** Every location in the spec, as key paths. */
  const locations = (value: unknown, path: string[] = []): string[][] =>
    value === null || typeof value !== 'object'
      ? [path]
      : [
          path,
          ...Object.keys(value).flatMap((k) =>
            locations((value as Record<string, unknown>)[k], [...path, k]),
          ),
        ];
  const replaceAt = (path: string[], replacement: unknown): unknown => {
    if (path.length === 0) return replacement;
    const copy = saltelliSpec();
    let node: Record<string, unknown> = copy;
    for (const key of path.slice(0, -1)) node = node[key] as Record<string, unknown>;
    node[path.at(-1)!] = replacement;
    return copy;
  };
  const odd = fc.oneof(
    fc.jsonValue(),
    fc.constantFrom(
      Number.NaN,
      -0,
      1e308,
      -1,
      0,
      1,
      2,
      3,
      0.5,
      2 ** 31,
      2 ** 53,
      '',
      'saltelli',
      'sobol',
      'log',
    ),
  );

  it('through expansion', () => {
    fc.assert(
      fc.property(fc.constantFrom(...locations(saltelliSpec())), odd, (path, replacement) => {
        let result: ReturnType<typeof prepareSweep>;
        try {
          result = prepareSweep(replaceAt(path, replacement));
        } catch (error) {
          expect(error).toBeInstanceOf(ApiError);
          return;
        }
        if (result.ok) {
          expect(result.expanded.points).toHaveLength(sweepPointCount(result.spec));
          return;
        }
        expect([400, 413, 422]).toContain(result.status);
        expect(result.error.details?.length).toBeGreaterThan(0);
      }),
      { numRuns: 400, seed: 17 },
    );
  });
});
