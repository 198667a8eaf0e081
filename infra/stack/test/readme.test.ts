import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../src/paths.js';

const readme = readFileSync(join(projectRoot, 'README.md'), 'utf8');
const ciRun = readFileSync(join(projectRoot, '.ci', 'run'), 'utf8');
const packageJson = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as {
  packageManager: string;
  scripts: Record<string, string>;
};

/** The shell commands of the quick start, in order: the `sh` blocks before the next section. */
function quickStartCommands(): string[] {
  const quickStart = readme.split(/^## Quick start$/m)[1]?.split(/^## /m)[0] ?? '';
  return [...quickStart.matchAll(/```sh\n([^\n]+)\n```/g)].map((match) => match[1] ?? '');
}

describe('README quick start', () => {
  it('is the first section and has exactly two commands', () => {
    expect(readme.split('\n').filter((line) => line.startsWith('## '))[0]).toBe('## Quick start');
    expect(quickStartCommands()).toHaveLength(2);
  });

  it('pins the pnpm version of package.json, through npx', () => {
    const pinned = `npx -y ${packageJson.packageManager}`;
    for (const command of quickStartCommands()) {
      for (const step of command.split(' && ')) expect(step.startsWith(`${pinned} `)).toBe(true);
    }
  });

  it('runs the demo, then the tests', () => {
    expect(quickStartCommands().map((command) => command.split(' ').at(-1))).toEqual(['demo', 'test']);
    expect(packageJson.scripts.demo).toContain('--demo');
  });
});

describe('.ci/run', () => {
  it("runs README's test command verbatim", () => {
    const testCommand = quickStartCommands()[1] ?? '';
    expect(testCommand).not.toBe('');
    const commandLines = ciRun
      .split('\n')
      .filter((line) => line.includes(testCommand) && !line.includes('echo'));
    expect(commandLines).toEqual([`if ${testCommand}; then`]);
  });
});
