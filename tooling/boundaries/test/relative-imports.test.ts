import { describe, expect, it } from 'vitest';
import { crossPackagePaths, relativeSpecifiers } from '../src/relative-imports.js';

const root = '/repo/apps/api';
const file = '/repo/apps/api/test/support/harness.ts';

describe('relative paths across package boundaries', () => {
  it('finds every way a module names a relative path', () => {
    const text = `
      import { a } from './a.js';
      import type { B } from '../b.js';
      export { c } from '../../c.js';
      export * from './d.js';
      const e = await import('./e.js');
      type F = import('./f.js').F;
      const g = new URL('../g/', import.meta.url);
      vi.mock('./h.js');
      const i = require('./i.cjs');
      import { named } from '@frontline/db';
      const notAFile = new URL('../x', 'http://example.test/');
      const text = '../../not-a-path-to-a-module';
    `;
    expect(relativeSpecifiers(file, text).map((s) => s.specifier)).toEqual([
      './a.js',
      '../b.js',
      '../../c.js',
      './d.js',
      './e.js',
      './f.js',
      '../g/',
      './h.js',
      './i.cjs',
    ]);
  });

  it('flags only the paths that resolve outside the package root, with their lines', () => {
    const text = [
      "import { buildApp } from '../../src/app.js';",
      "import { startThrowawayServers } from '../../../../infra/stack/src/test-servers.js';",
      "const dist = new URL('../../../web/dist/', import.meta.url);",
      "const own = new URL('../../package.json', import.meta.url);",
      "const root = new URL('../../', import.meta.url);",
      "const sibling = new URL('../../../api-extra/x.ts', import.meta.url);",
    ].join('\n');
    expect(crossPackagePaths(root, file, text)).toEqual([
      { file, line: 2, specifier: '../../../../infra/stack/src/test-servers.js' },
      { file, line: 3, specifier: '../../../web/dist/' },
      { file, line: 6, specifier: '../../../api-extra/x.ts' },
    ]);
  });

  it('accepts a file with no relative path leaving its package', () => {
    expect(crossPackagePaths(root, `${root}/src/main.ts`, "import { a } from './a.js';")).toEqual([]);
  });
});
