import { readFileSync } from 'node:fs';
import { kernelNodeFlags } from '@frontline/sim';
import { describe, expect, it } from 'vitest';

const repoFile = (path: string) => readFileSync(new URL(`../../../${path}`, import.meta.url), 'utf8');

/** Every place that starts a worker process outside the stack passes the kernel's V8 flags. */
describe('worker launch commands', () => {
  const launchers = {
    'apps/worker/package.json start': JSON.parse(repoFile('apps/worker/package.json')).scripts.start,
    'apps/worker/package.json dev': JSON.parse(repoFile('apps/worker/package.json')).scripts.dev,
    'infra/docker-compose.yml worker': repoFile('infra/docker-compose.yml').match(
      /worker:[\s\S]*?command: (.*)/,
    )?.[1],
  };
  for (const [where, command] of Object.entries(launchers)) {
    it(`${where} carries ${kernelNodeFlags.join(' ')}`, () => {
      for (const flag of kernelNodeFlags) expect(command).toContain(flag);
    });
  }
});
