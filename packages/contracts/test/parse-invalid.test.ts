import { describe, expect, it } from 'vitest';
import { parseSweepSpec } from '../src/index.js';
import type { LooseSpec } from './fixtures.js';
import { issueSpec } from './fixtures.js';

type Mutation = (spec: LooseSpec) => void;

/** [case, mutation of the issue's spec, expected path, expected rule (substring)] */
const invalidSpecs: [string, Mutation, string, string][] = [
  ['unknown axis name', (s) => (s.design.axes.doze = [1, 2]), 'design.axes.doze', 'unknown parameter'],
  ['empty axis list', (s) => (s.design.axes.dose = []), 'design.axes.dose', 'must have ≥ 1 item'],
  [
    'no axes at all',
    (s) => {
      s.design.axes = {};
      delete s.referenceArm;
    },
    'design.axes',
    'at least one axis',
  ],
  [
    'non-number axis value',
    (s) => (s.design.axes.dose[2] = 'two'),
    'design.axes.dose[2]',
    'must be a number',
  ],
  ['duplicate axis value', (s) => (s.design.axes.dose = [0, 1, 1]), 'design.axes.dose[2]', 'duplicate of'],
  ['axis value out of domain', (s) => (s.design.axes.dose[2] = -1), 'design.axes.dose[2]', 'must be ≥ 0'],
  ['negative patients', (s) => (s.cohort.patients = -5), 'cohort.patients', 'must be > 0'],
  ['fractional patients', (s) => (s.cohort.patients = 10.5), 'cohort.patients', 'must be an integer'],
  ['non-integer seed', (s) => (s.cohort.seed = 1.5), 'cohort.seed', 'must be an integer, got 1.5'],
  ['negative seed', (s) => (s.cohort.seed = -1), 'cohort.seed', 'must be ≥ 0'],
  ['zero chunk size', (s) => (s.cohort.chunkSize = 0), 'cohort.chunkSize', 'must be > 0'],
  ['missing cohort', (s) => delete s.cohort, 'cohort', 'is required'],
  [
    'lhs without samples',
    (s) => (s.design = { kind: 'lhs', seed: 1, axes: { dose: { min: 0, max: 5 } } }),
    'design.samples',
    'is required',
  ],
  [
    'log scale with min = 0',
    (s) =>
      (s.design = { kind: 'sobol', samples: 64, seed: 1, axes: { dose: { min: 0, max: 5, scale: 'log' } } }),
    'design.axes.dose.min',
    'log scale needs min > 0',
  ],
  [
    'log scale with min < 0',
    (s) =>
      (s.design = { kind: 'lhs', samples: 8, seed: 1, axes: { dose: { min: -1, max: 5, scale: 'log' } } }),
    'design.axes.dose.min',
    'log scale needs min > 0',
  ],
  [
    'min > max',
    (s) => (s.design = { kind: 'lhs', samples: 8, seed: 1, axes: { dose: { min: 5, max: 1 } } }),
    'design.axes.dose',
    'min must be < max',
  ],
  [
    'unknown axis scale',
    (s) =>
      (s.design = { kind: 'lhs', samples: 8, seed: 1, axes: { dose: { min: 0, max: 1, scale: 'sqrt' } } }),
    'design.axes.dose.scale',
    'must be one of "linear", "log"',
  ],
  [
    'integer parameter in a sampled design',
    (s) => {
      s.design = { kind: 'lhs', samples: 8, seed: 1, axes: { cycles: { min: 1, max: 8 } } };
      delete s.referenceArm;
    },
    'design.axes.cycles',
    'integer values',
  ],
  [
    'unknown design kind',
    (s) => (s.design.kind = 'random'),
    'design.kind',
    'must be one of "grid", "lhs", "sobol"',
  ],
  ['grid with samples', (s) => (s.design.samples = 8), 'design.samples', 'unknown key'],
  ['axis also in params', (s) => (s.params.dose = 1), 'params.dose', 'is also a design axis'],
  [
    'referenceArm key not an axis',
    (s) => (s.referenceArm = { growthRate: 0.01 }),
    'referenceArm.growthRate',
    'is not an axis',
  ],
  [
    'referenceArm value not on the grid',
    (s) => (s.referenceArm = { dose: 3 }),
    'referenceArm.dose',
    'one of the grid values of dose: 0, 1, 2, 5',
  ],
  [
    'referenceArm prototype key',
    (s) => (s.referenceArm = { toString: 0 }),
    'referenceArm.toString',
    'is not an axis',
  ],
  ['empty referenceArm', (s) => (s.referenceArm = {}), 'referenceArm', 'at least one axis'],
  ['unknown priority', (s) => (s.priority = 'urgent'), 'priority', 'must be one of "high", "normal", "low"'],
  ['unknown top-level key', (s) => (s.owner = 'me'), 'owner', 'unknown key'],
  ['unknown cohort key', (s) => (s.cohort.size = 3), 'cohort.size', 'unknown key'],
  ['empty name', (s) => (s.name = '  '), 'name', 'must have ≥ 1 character'],
  [
    'params out of physical domain',
    (s) => (s.params.cellLossFactor = 1.2),
    'params.cellLossFactor',
    'must be < 1',
  ],
  ['unknown parameter override', (s) => (s.params.tumourSize = 1), 'params.tumourSize', 'unknown parameter'],
  [
    'params breaking a cross rule',
    (s) => (s.params.stepDays = 1e-5),
    'params.stepDays',
    'at most 2000000 steps',
  ],
  [
    'non-finite param (YAML .inf)',
    (s) => (s.params.horizonDays = Infinity),
    'params.horizonDays',
    'finite number',
  ],
  [
    'NaN axis value (YAML .nan)',
    (s) => (s.design.axes.dose[1] = Number.NaN),
    'design.axes.dose[1]',
    'finite number',
  ],
];

describe('parseSweepSpec: invalid specs', () => {
  it.each(invalidSpecs)('%s → 400 at the path, naming the rule', (_case, mutate, path, rule) => {
    const spec = issueSpec();
    mutate(spec);
    const result = parseSweepSpec(spec);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.status).toBe(400);
    expect(result.error.code).toBe('validation_failed');
    const detail = result.error.details?.find((d) => d.path === path);
    expect(detail, JSON.stringify(result.error.details)).toBeDefined();
    expect(detail!.rule).toContain(rule);
    expect(result.error.message).toContain(path);
  });

  it('reports every problem at once, not only the first', () => {
    const spec = issueSpec();
    spec.design.axes.doze = [1];
    spec.params.cellLossFactor = 1.2;
    spec.referenceArm = { dose: 3 };
    const result = parseSweepSpec(spec);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.details?.map((d) => d.path).sort()).toEqual(
      ['design.axes.doze', 'params.cellLossFactor', 'referenceArm.dose'].sort(),
    );
  });

  it.each([
    ['a string that is not JSON', '{"name": ', 'bad_request'],
    ['null', null, 'validation_failed'],
    ['an array', [], 'validation_failed'],
    ['a number', 42, 'validation_failed'],
  ])('rejects %s with a 400', (_case, input, code) => {
    const result = parseSweepSpec(input);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.status).toBe(400);
    expect(result.error.code).toBe(code);
  });

  it('rejects a __proto__ key instead of silently dropping it', () => {
    const result = parseSweepSpec(
      JSON.parse(
        '{"name":"x","design":{"kind":"grid","axes":{"__proto__":[1],"dose":[1]}},"cohort":{"patients":1,"seed":1}}',
      ),
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.status).toBe(400);
    expect(result.error.details).toEqual([{ path: 'design.axes.__proto__', rule: 'reserved key' }]);
  });

  it('does not overflow on a deeply nested hostile body', () => {
    let nested: unknown = 1;
    for (let i = 0; i < 100_000; i++) nested = { a: nested };
    const result = parseSweepSpec({ ...issueSpec(), extra: nested });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.details).toContainEqual({ path: 'extra', rule: 'unknown key' });
  });

  it.each([
    [
      'a NUL in the name',
      (s: LooseSpec) => (s.name = 'dose\u0000sweep'),
      'name',
      'must not contain a NUL character (U+0000)',
    ],
    [
      'a lone high surrogate in the name',
      (s: LooseSpec) => (s.name = 'dose \uD83D sweep'),
      'name',
      'must not contain a lone surrogate (U+D83D at index 5)',
    ],
    [
      'a lone low surrogate at the end',
      (s: LooseSpec) => (s.name = 'dose\uDE00'),
      'name',
      'must not contain a lone surrogate (U+DE00 at index 4)',
    ],
    [
      'a NUL in an axis name',
      (s: LooseSpec) => (s.design.axes['do\u0000se'] = [1]),
      'design.axes["do\\u0000se"]',
      'key must not contain a NUL character',
    ],
    [
      'a lone surrogate in a params key',
      (s: LooseSpec) => (s.params['\uDC00'] = 1),
      'params["\\udc00"]',
      'key must not contain a lone surrogate',
    ],
    [
      'a NUL in the priority',
      (s: LooseSpec) => (s.priority = 'low\u0000'),
      'priority',
      'must not contain a NUL character',
    ],
    [
      'a NUL in the design kind',
      (s: LooseSpec) => (s.design.kind = '\u0000'),
      'design.kind',
      'must not contain a NUL character',
    ],
  ])('rejects %s with a 400 naming the field, before anything is stored', (_case, mutate, path, rule) => {
    const spec = issueSpec();
    mutate(spec);
    const result = parseSweepSpec(spec);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.status).toBe(400);
    expect(result.error.code).toBe('validation_failed');
    expect(result.error.details).toHaveLength(1);
    expect(result.error.details?.[0]?.path).toBe(path);
    expect(result.error.details?.[0]?.rule).toContain(rule);
  });

  it('accepts text with paired surrogates (emoji) and other control-free Unicode', () => {
    const spec = issueSpec();
    spec.name = 'dose 😀 × immunität';
    expect(parseSweepSpec(spec).ok).toBe(true);
  });
});
