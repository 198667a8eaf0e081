import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  canonicalJson,
  defaultParams,
  type ModelId,
  modelParamsChecker,
  modelParamsResolver,
  modelPointStorage,
  ParamError,
  pointHashFor,
  Rng,
  resolveModelParams,
} from '../src/index.js';
import {
  canonicalPointJson,
  ensureValidParams,
  fieldSchema,
  inRange,
  type ModelParams,
  numberRange,
  paramNames,
  resolveParams,
  SPECS,
} from '../src/params.js';
import {
  ensureValidParamsV2,
  type ModelParamsV2,
  NUMBER_SPECS,
  paramNamesV2,
  resolveParamsV2,
} from '../src/params-v2.js';

/** What resolveModelParams gives, or the ParamError it throws. */
function outcomeOf(resolve: () => unknown): unknown {
  try {
    return resolve();
  } catch (error) {
    if (!(error instanceof ParamError)) throw error;
    return { param: error.param, rule: error.rule, value: error.value, problems: error.problems };
  }
}

/**
 * Sequences of 1–8 points of 1–3 random parameters of a model, valued around each parameter's domain (in,
 * on and past its bounds), so both paths and the rules between parameters are taken.
 */
function randomPoints(model: ModelId) {
  const names = model === 'lf-tid@1' ? SPECS : NUMBER_SPECS;
  const value = fc.oneof(
    fc.double({ min: -2, max: 2, noNaN: true }),
    fc.double({ min: 0, max: 1e12, noNaN: true }),
    fc.constantFrom(0, -0, 1, 1e-9, Number.NaN, Number.POSITIVE_INFINITY),
  );
  const point = fc.dictionary(fc.constantFrom(...names.map((spec) => spec.name as string)), value, {
    minKeys: 1,
    maxKeys: 3,
  });
  return fc.array(point, { minLength: 1, maxLength: 8 });
}

describe('modelParamsResolver: the shared params checked once, each point its own values', () => {
  const cases: { model: ModelId; shared: Record<string, unknown>; points: Record<string, number>[] }[] = [
    {
      model: 'lf-tid@1',
      shared: { horizonDays: 120 },
      points: [
        { dose: 0, immuneKill: 0.035 },
        { dose: -0, immuneKill: 0.1 },
        { dose: 2.5, immuneKill: 0.0123456789 },
        // A field outside its domain, a non-finite value and an unknown name: resolveModelParams' errors.
        { dose: -1, immuneKill: 0.1 },
        { dose: Number.NaN },
        { doze: 1 },
        // A rule between parameters (the primary could never grow to diagnosis).
        { diagnosisCells: defaultParams.capacityPrimary * 2 },
      ],
    },
    {
      model: 'lf-tid@2',
      shared: { doseDays: [0, 21, 42], cycles: 3 },
      points: [
        { myelotoxicity: 1e-7 },
        { doseReductionStep: 0.5, maxDoseReductions: 2 },
        { infusionHours: 0.5 },
      ],
    },
    // Shared params that break a rule alone, repaired by every point's axis value.
    {
      model: 'lf-tid@1',
      shared: { diagnosisCells: defaultParams.capacityPrimary * 2 },
      points: [{ capacityPrimary: defaultParams.capacityPrimary * 4 }, { capacityPrimary: 1 }],
    },
  ];

  it('gives exactly resolveModelParams’ parameters, hashes and errors, point by point', () => {
    for (const { model, shared, points } of cases) {
      const resolve = modelParamsResolver(model, shared);
      for (const values of points) {
        const expected = outcomeOf(() => resolveModelParams(model, { ...shared, ...values }));
        const actual = outcomeOf(() => resolve(values));
        expect(actual, `${model} ${JSON.stringify(values)}`).toStrictEqual(expected);
        if (expected instanceof Object && !('problems' in expected)) {
          expect(Object.isFrozen(actual)).toBe(true);
          expect(Object.keys(actual as object)).toEqual(Object.keys(expected));
          expect(pointHashFor(model, actual as never)).toBe(pointHashFor(model, expected as never));
        }
      }
    }
  });

  it('checks (modelParamsChecker) exactly as it resolves: the same ParamError or none, point after point', () => {
    for (const { model, shared, points } of cases) {
      const check = modelParamsChecker(model, shared);
      // Twice through, so each point is checked after every other: one's values never stay for the next.
      for (const values of [...points, ...points]) {
        const expected = outcomeOf(() => resolveModelParams(model, { ...shared, ...values }));
        const actual = outcomeOf(() => check(values));
        expect(actual, `${model} ${JSON.stringify(values)}`).toStrictEqual(
          expected instanceof Object && 'problems' in expected ? expected : undefined,
        );
      }
    }
  });

  /** What a stored point must come to: the resolved point's hash, and its parameters as base || changes. */
  function storedOutcome(model: ModelId, shared: Record<string, unknown>, values: Record<string, number>) {
    const expected = outcomeOf(() => resolveModelParams(model, { ...shared, ...values }));
    if (expected instanceof Object && 'problems' in expected) return expected;
    return { pointHash: pointHashFor(model, expected as never), params: expected };
  }

  it('stores points (modelPointStorage) as it resolves them: the same hash, base || changes the same params', () => {
    for (const { model, shared, points } of cases) {
      const storage = modelPointStorage(model, shared);
      // Twice through: one point's values never stay for the next.
      for (const values of [...points, ...points]) {
        const actual = outcomeOf(() => {
          const { pointHash, changes } = storage.stored(values);
          return { pointHash, params: { ...storage.base, ...JSON.parse(changes) } };
        });
        const expected = storedOutcome(model, shared, values);
        expect(actual, `${model} ${JSON.stringify(values)}`).toStrictEqual(
          expected instanceof Object && 'params' in expected
            ? { ...expected, params: { ...(expected.params as object) } }
            : expected,
        );
      }
    }
    // Shared params that break a rule alone have no base: each point keeps all of its parameters.
    const unbased = modelPointStorage('lf-tid@1', cases[2]!.shared);
    expect(unbased.base).toBeUndefined();
    expect(JSON.parse(unbased.stored(cases[2]!.points[0]!).changes)).toStrictEqual({
      ...resolveModelParams('lf-tid@1', { ...cases[2]!.shared, ...cases[2]!.points[0]! }),
    });
  });

  it('names in changes only the values that differ from the base (an axis value equal to it, or −0 for 0, is left out)', () => {
    const storage = modelPointStorage('lf-tid@1', { dose: 0 });
    expect(storage.stored({ dose: 2.5, immuneKill: defaultParams.immuneKill }).changes).toBe('{"dose":2.5}');
    expect(storage.stored({ dose: -0 }).changes).toBe('{}');
    expect(storage.stored({ dose: 1e-7 }).changes).toBe('{"dose":1e-7}');
  });

  it('stores random points of random axes as it resolves them, in any order', () => {
    for (const model of ['lf-tid@1', 'lf-tid@2'] as const) {
      fc.assert(
        fc.property(randomPoints(model), (points) => {
          const storage = modelPointStorage(model);
          for (const values of points) {
            const actual = outcomeOf(() => {
              const { pointHash, changes } = storage.stored(values);
              return { pointHash, params: { ...storage.base, ...JSON.parse(changes) } };
            });
            const expected = storedOutcome(model, {}, values);
            expect(actual).toStrictEqual(
              expected instanceof Object && 'params' in expected
                ? { ...expected, params: { ...(expected.params as object) } }
                : expected,
            );
          }
        }),
        { numRuns: 300, seed: 17 },
      );
    }
  });

  it('checks random points of random axes as the whole check does, in any order', () => {
    // A sequence of points shares one checker.
    for (const model of ['lf-tid@1', 'lf-tid@2'] as const) {
      fc.assert(
        fc.property(randomPoints(model), (points) => {
          const check = modelParamsChecker(model);
          for (const values of points) {
            const expected = outcomeOf(() => resolveModelParams(model, values));
            const actual = outcomeOf(() => check(values));
            expect(actual).toStrictEqual(
              expected instanceof Object && 'problems' in expected ? expected : undefined,
            );
          }
        }),
        { numRuns: 300, seed: 13 },
      );
    }
  });

  it('marks its points as checked for the kernel unless told not to (points only stored and hashed)', () => {
    const values = { dose: 2.5, immuneKill: 0.05 };
    const marked = modelParamsResolver('lf-tid@2')(values);
    const unmarked = modelParamsResolver('lf-tid@2', {}, { register: false })(values);
    expect(unmarked).toStrictEqual(marked);
    expect(Object.isFrozen(unmarked)).toBe(true);
    // A marked point is the kernel's as it is; an unmarked one is checked again, into a checked copy.
    expect(ensureValidParamsV2(marked)).toBe(marked);
    expect(ensureValidParamsV2(unmarked)).not.toBe(unmarked);
    expect(ensureValidParamsV2(unmarked)).toStrictEqual(marked);
    const v1 = modelParamsResolver('lf-tid@1', {}, { register: false })(values);
    expect(ensureValidParams(v1 as ModelParams)).not.toBe(v1);
    expect(ensureValidParams(modelParamsResolver('lf-tid@1')(values) as ModelParams)).toStrictEqual(v1);
  });

  it('keeps every stored point’s content hash: pinned values of v1 and v2 points', () => {
    // A change of any of these means stored points change identity and reuse across sweeps breaks.
    const v1 = modelParamsResolver('lf-tid@1');
    expect(pointHashFor('lf-tid@1', v1({}))).toBe(
      '4f6210cd597de694acc32fa3b38be7f64e5d1cc91318b2bfb9a1ed914f2e0acb',
    );
    expect(pointHashFor('lf-tid@1', v1({ dose: 2.5, immuneKill: 0.0123456789 }))).toBe(
      '977e05a8ef3e7d69aea7e9757cadd2668a82685d2360ed36edf7426179969f6f',
    );
    expect(pointHashFor('lf-tid@2', modelParamsResolver('lf-tid@2')({}))).toBe(
      'c629083ac34f3771157dc62afa7608a0f4682390e79ec8c59f8195ca38e7506f',
    );
    const v2 = modelParamsResolver('lf-tid@2', { doseDays: [0, 21, 42], cycles: 3 });
    const expected = '4b9c40efb2f31817bfc20df5afb3b208ca8cd41296215c90910a30678fc9f8dd';
    // Twice, between other points: the hash reuses the entries of unchanged values.
    expect(pointHashFor('lf-tid@2', v2({ myelotoxicity: 1e-7 }))).toBe(expected);
    expect(pointHashFor('lf-tid@2', v2({ myelotoxicity: 2e-7 }))).not.toBe(expected);
    expect(pointHashFor('lf-tid@2', v2({ myelotoxicity: 1e-7 }))).toBe(expected);
    expect(
      pointHashFor(
        'lf-tid@2',
        resolveModelParams('lf-tid@2', { doseDays: [0, 21, 42], cycles: 3, myelotoxicity: 1e-7 }),
      ),
    ).toBe(expected);
  });
});

describe('inRange: the per-point domain check without zod', () => {
  it('accepts exactly what each parameter’s zod schema accepts', () => {
    const probes: unknown[] = [
      ...[0, -0, 0.5, 1, 1.5, 2, 24, 100, 1e6, 1e9, 1e15, 1e50, 1e300, 2 ** 53 - 1, 2 ** 53, 5e-324],
      ...[-1, -0.5, -1e300, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY],
      ...['1', null, undefined, true, [], {}, 1n],
    ];
    for (const spec of [...SPECS, ...NUMBER_SPECS]) {
      const schema = fieldSchema(spec);
      const range = numberRange(spec);
      const bounds = [spec.gt, spec.gte, spec.lt, spec.lte].filter((b) => b !== undefined);
      // Each bound, and the doubles either side of it.
      const near = bounds.flatMap((b) => [
        b,
        b * (1 + Number.EPSILON),
        b * (1 - Number.EPSILON),
        b + 1e-300,
        b - 1e-300,
      ]);
      for (const x of [...probes, ...near]) {
        expect(inRange(range, x), `${spec.name} ${String(x)}`).toBe(schema.safeParse(x).success);
      }
    }
  });
});

describe('canonicalPointJson: points as a few cached pieces', () => {
  it('gives canonicalJson({ model, params }) for every point, whichever keys change or are absent', () => {
    const names = ['b', 'a', 'd', 'c', 'f', 'e', 'g'];
    const canonical = canonicalPointJson('m@1', names);
    const rng = new Rng(7, 0);
    const frozenList = Object.freeze([1, 2]);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng.uniform() * xs.length)]!;
    let params: Record<string, unknown> = Object.fromEntries(names.map((n) => [n, 1]));
    for (let i = 0; i < 2_000; i++) {
      // Change a random set of keys: runs of points with the same changing keys, then another set.
      if (i % 50 === 0) params = { ...params, [pick(names)]: pick([undefined, 0, -0, 3]) };
      const changing = names.filter((_, k) => (i >> 6) % (k + 2) === 0);
      params = { ...params };
      for (const n of changing)
        params[n] = pick([rng.uniform(), undefined, -0, frozenList, [rng.uniform()], 'x']);
      expect(canonical(params)).toBe(canonicalJson({ model: 'm@1', params }));
    }
  });

  it('refuses a value canonicalJson refuses, every time', () => {
    const canonical = canonicalPointJson('m@1', ['a']);
    expect(() => canonical({ a: Number.NaN })).toThrow(TypeError);
    expect(() => canonical({ a: Number.NaN })).toThrow(TypeError);
    expect(canonical({ a: 1 })).toBe('{"model":"m@1","params":{"a":1}}');
  });
});

/** A model's whole check, its check of clones by differences, and clones of a base to try them on. */
interface CloneChecks {
  model: ModelId;
  resolveWhole: (params: object) => object;
  ensureValid: (params: object) => object;
  base: object;
  names: readonly string[];
  /** Parameters that take any number (the fast-check's targets). */
  numeric: readonly string[];
  changes: Record<string, unknown>[];
  /** A parameter a clone lacks, and the rule its error names. */
  missing: [string, string];
}

function clonesCheckedByDifferences(c: CloneChecks) {
  /** A clone of `from` with these entries changed (undefined deletes one), as a thread receives it. */
  const cloneOf = (from: object, change: Record<string, unknown>) => {
    const clone: Record<string, unknown> = structuredClone({ ...from });
    for (const [name, value] of Object.entries(change))
      if (value === undefined) delete clone[name];
      else clone[name] = value;
    return clone;
  };

  it('gives exactly the whole check’s parameters, hashes and errors, clone after clone', () => {
    // Twice: the second pass starts from whatever the first left validated.
    for (let pass = 0; pass < 2; pass++)
      for (const change of c.changes) {
        const clone = cloneOf(c.base, change);
        const expected = outcomeOf(() => c.resolveWhole(clone));
        const actual = outcomeOf(() => c.ensureValid(clone));
        expect(actual, JSON.stringify(change)).toStrictEqual(expected);
        if (!('problems' in (expected as object))) {
          expect(Object.isFrozen(actual)).toBe(true);
          expect(Object.keys(actual as object)).toEqual(c.names);
          expect(pointHashFor(c.model, actual as never)).toBe(pointHashFor(c.model, expected as never));
        }
      }
  });

  it('asks for a parameter a clone lacks, whatever was validated before', () => {
    c.ensureValid(cloneOf(c.base, { dose: 2 }));
    const [name, rule] = c.missing;
    expect(() => c.ensureValid(cloneOf(c.base, { dose: 2.5, [name]: undefined }))).toThrow(
      new ParamError(name, rule),
    );
  });

  it('agrees with the whole check for random changes of random parameters', () => {
    const value = fc.oneof(
      fc.double({ noNaN: false }),
      fc.double({ min: 0, max: 2, noNaN: true }),
      fc.integer({ min: -2, max: 12 }),
      fc.constant('1'),
    );
    fc.assert(
      fc.property(
        fc.array(fc.dictionary(fc.constantFrom(...c.numeric), value, { maxKeys: 3 }), {
          minLength: 1,
          maxLength: 6,
        }),
        (sequence) => {
          for (const change of sequence) {
            const clone = cloneOf(c.base, change);
            expect(outcomeOf(() => c.ensureValid(clone))).toStrictEqual(
              outcomeOf(() => c.resolveWhole(clone)),
            );
          }
        },
      ),
      { numRuns: 300 },
    );
  });
}

describe('ensureValidParamsV2: structured clones (a chunk’s segments in a thread) checked by what differs', () => {
  clonesCheckedByDifferences({
    model: 'lf-tid@2',
    resolveWhole: (p) => resolveParamsV2(p as ModelParamsV2),
    ensureValid: (p) => ensureValidParamsV2(p as ModelParamsV2),
    base: resolveParamsV2({ doseDays: [0, 21, 42], cycles: 3 }),
    names: paramNamesV2,
    numeric: NUMBER_SPECS.map((s) => s.name as string),
    changes: [
      {},
      { dose: 2.5 },
      { dose: -0, immuneKill: 0.1 },
      { dose: -1 },
      { dose: Number.NaN },
      { dose: '1' },
      { doseReductionStep: 0.5, maxDoseReductions: 2 },
      { infusionHours: 24 * 30 },
      { scanIntervalDays: 0.5 },
      { doze: 1 },
      { doseDays: [0, 14, 28] },
      { doseDays: [0, 28, 14] },
      { cycles: 4, dose: 1.5 },
      { dose: 3 },
    ],
    missing: ['immuneKill', 'is required (use resolveParamsV2 to fill defaults)'],
  });
});

describe('ensureValidParams (lf-tid@1): structured clones checked by what differs', () => {
  clonesCheckedByDifferences({
    model: 'lf-tid@1',
    resolveWhole: (p) => resolveParams(p as ModelParams),
    ensureValid: (p) => ensureValidParams(p as ModelParams),
    base: resolveParams({ dose: 1, immuneKill: 0.05 }),
    names: paramNames,
    numeric: paramNames,
    changes: [
      {},
      { dose: 2.5 },
      { dose: -0, immuneKill: 0.1 },
      { dose: -1 },
      { dose: Number.NaN },
      { dose: '1' },
      { emtPlasticity: 0.2, immuneKill: 0.02 },
      { doze: 1 },
      { horizonDays: 30 },
      { dose: 3 },
    ],
    missing: ['immuneKill', 'is required (use resolveParams to fill defaults)'],
  });
});
