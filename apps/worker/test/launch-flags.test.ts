import { readFileSync } from 'node:fs';
import { kernelNodeFlags } from '@frontline/sim';
import { describe, expect, it } from 'vitest';

const repoFile = (path: string) => readFileSync(new URL(`../../../${path}`, import.meta.url), 'utf8');

/** Every place that starts a worker process outside the stack, or times the kernel as one, passes the kernel's V8 flags. */
describe('worker launch commands', () => {
  const { scripts } = JSON.parse(repoFile('apps/worker/package.json')) as { scripts: Record<string, string> };
  const launchers = {
    // start and dev; and the benches that time the kernel in their own process, which refuse to run without
    // the flags (requireWorkerFlags).
    ...Object.fromEntries(
      ['start', 'dev', 'bench', 'bench:ceiling', 'bench:ten-million'].map((name) => [
        `apps/worker/package.json ${name}`,
        scripts[name],
      ]),
    ),
    'infra/Dockerfile worker stage': repoFile('infra/Dockerfile').match(/AS worker[\s\S]*?\nCMD (.*)/)?.[1],
    // Its one container's command (the file holds no other node invocation).
    'infra/k8s/base/worker.yaml': repoFile('infra/k8s/base/worker.yaml'),
    'infra/slurm/frontline-workers.sbatch': repoFile('infra/slurm/frontline-workers.sbatch').match(
      /\nexec node (.*\\\n.*)/,
    )?.[1],
  };
  for (const [where, command] of Object.entries(launchers)) {
    it(`${where} carries ${kernelNodeFlags.join(' ')}`, () => {
      for (const flag of kernelNodeFlags) expect(command).toContain(flag);
    });
  }
});
