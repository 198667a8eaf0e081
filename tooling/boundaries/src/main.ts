import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { parse } from 'yaml';
import { crossPackagePaths } from './relative-imports.js';

/**
 * Fails when a source file of a workspace package reaches into another package by a relative path
 * (`../../../infra/...`, `new URL('../../web/dist', import.meta.url)`): import it by name instead,
 * or take the path from configuration.
 */
const repoRoot = workspaceRoot(process.cwd());
const sourceFile = /\.(c|m)?(t|j)sx?$/;
const skipped = new Set(['node_modules', 'dist', '.turbo', '.frontline', 'test-artifacts']);

/** The nearest folder upwards with a pnpm-workspace.yaml (pnpm runs root scripts there). */
function workspaceRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no pnpm-workspace.yaml above ${from}`);
  }
}

function packageRoots(): string[] {
  const workspace = parse(readFileSync(join(repoRoot, 'pnpm-workspace.yaml'), 'utf8')) as {
    packages: string[];
  };
  return workspace.packages.flatMap((pattern) => {
    const parent = join(repoRoot, pattern.replace(/\/\*$/, ''));
    return readdirSync(parent, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && existsSync(join(parent, entry.name, 'package.json')))
      .map((entry) => join(parent, entry.name));
  });
}

function* sourceFiles(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (skipped.has(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* sourceFiles(path);
    else if (sourceFile.test(entry.name)) yield path;
  }
}

const violations = packageRoots().flatMap((root) =>
  [...sourceFiles(root)].flatMap((file) => crossPackagePaths(root, file, readFileSync(file, 'utf8'))),
);
for (const v of violations) {
  console.error(`${relative(repoRoot, v.file)}:${v.line}  '${v.specifier}' leaves its package`);
}
if (violations.length > 0) {
  console.error(
    `\n${violations.length} relative path(s) cross a package boundary: import the package by name, or pass the path in from configuration.`,
  );
  process.exitCode = 1;
} else {
  console.log('package boundaries: no relative path leaves its package');
}
