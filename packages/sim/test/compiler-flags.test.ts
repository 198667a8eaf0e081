import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { kernelNodeFlags, missingKernelNodeFlags } from '../src/compiler-flags.js';
import { GOLDEN } from './support/v1-golden.js';

const printGolden = fileURLToPath(new URL('./support/print-golden.ts', import.meta.url));

describe("the workers' V8 flags", () => {
  it('leave every lf-tid@1 golden digest unchanged', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [...kernelNodeFlags, '--conditions=@frontline/source', '--import', 'tsx', printGolden],
      { timeout: 120_000 },
    );
    expect(stdout.trim().split('\n')).toEqual(GOLDEN.map(([, digest]) => digest));
  });

  it('are reported missing unless every one is on the command line', () => {
    expect(missingKernelNodeFlags([...kernelNodeFlags, '--import', 'tsx'])).toEqual([]);
    expect(missingKernelNodeFlags([kernelNodeFlags[0]])).toEqual([kernelNodeFlags[1]]);
    expect(missingKernelNodeFlags([])).toEqual([...kernelNodeFlags]);
  });
});
