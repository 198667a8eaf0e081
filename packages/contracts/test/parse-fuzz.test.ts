import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ApiError, parseSweepSpec, prepareSweep } from '../src/index.js';
import type { LooseSpec } from './fixtures.js';
import { issueSpec, sampledSpec } from './fixtures.js';

/** Every object/array location in a spec, as key paths. */
function locations(value: unknown, path: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== 'object') return [path];
  const keys = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value);
  return [
    path,
    ...keys.flatMap((k) => locations((value as Record<string | number, unknown>)[k], [...path, k])),
  ];
}

function replaceAt(spec: LooseSpec, path: (string | number)[], replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const copy = structuredClone(spec);
  let node: Record<string | number, unknown> = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  node[path.at(-1)!] = replacement;
  return copy;
}

const odd = fc.oneof(
  fc.jsonValue(),
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, -0, 1e308, -1, 0, 0.5, 2 ** 53, '', 'log', 'grid'),
);

/** A spec with one location replaced by an arbitrary (often invalid) value. */
const mutatedSpec = fc
  .constantFrom(issueSpec(), sampledSpec('lhs', 16), sampledSpec('sobol', 16))
  .chain((spec) => fc.tuple(fc.constant(spec), fc.constantFrom(...locations(spec)), odd))
  .map(([spec, path, replacement]) => replaceAt(spec, path, replacement));

describe('parseSweepSpec never fails with anything but a 400, 413 or 422', () => {
  it('on arbitrary JSON values', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (input) => {
        const result = parseSweepSpec(input);
        expect(result.ok).toBe(false);
        if (!result.ok) expect([400, 413, 422]).toContain(result.status);
      }),
      { numRuns: 300, seed: 7 },
    );
  });

  it('on specs with one field replaced, through expansion', () => {
    fc.assert(
      fc.property(mutatedSpec, (input) => {
        let result: ReturnType<typeof prepareSweep>;
        try {
          result = prepareSweep(input);
        } catch (error) {
          // Only an explained, client-side error may escape.
          expect(error).toBeInstanceOf(ApiError);
          return;
        }
        if (result.ok) return;
        expect([400, 413, 422]).toContain(result.status);
        expect(result.error.details?.length).toBeGreaterThan(0);
        for (const { path, rule } of result.error.details ?? []) {
          expect(typeof path).toBe('string');
          expect(rule.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 500, seed: 20_240_610 },
    );
  });
});
