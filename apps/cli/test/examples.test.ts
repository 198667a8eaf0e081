import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSweepSpec } from '@frontline/contracts';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';

const examplesDir = new URL('../examples/', import.meta.url).pathname;
const examples = readdirSync(examplesDir).filter((file) => /\.(ya?ml|json)$/.test(file));

describe('apps/cli/examples: every example spec is valid', () => {
  it.each(examples)('%s parses with parseSweepSpec, without warnings', (file) => {
    const result = parseSweepSpec(parseYaml(readFileSync(join(examplesDir, file), 'utf8')));
    if (!result.ok) expect.fail(`${file}: ${JSON.stringify(result.error.details)}`);
    expect(result.warnings).toEqual([]);
  });

  it('covers every design kind, a three-axis grid, params, a reference arm, priority and chunk size', () => {
    const specs = examples.map((file) => {
      const result = parseSweepSpec(parseYaml(readFileSync(join(examplesDir, file), 'utf8')));
      if (!result.ok) throw new Error(file);
      return result.spec;
    });
    expect(new Set(specs.map((s) => s.design.kind))).toEqual(new Set(['grid', 'lhs', 'sobol', 'saltelli']));
    expect(specs.some((s) => s.design.kind === 'grid' && Object.keys(s.design.axes).length === 3)).toBe(true);
    expect(specs.some((s) => Object.keys(s.params).length > 0)).toBe(true);
    expect(specs.some((s) => s.referenceArm !== undefined)).toBe(true);
    expect(new Set(specs.map((s) => s.priority))).toEqual(new Set(['high', 'normal', 'low']));
    expect(specs.some((s) => s.cohort.chunkSize !== undefined)).toBe(true);
  });
});
