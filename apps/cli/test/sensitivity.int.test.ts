import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { type Harness, startHarness } from '@frontline/api/test-harness';
import type { SensitivityResponse } from '@frontline/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const cliEntry = new URL('../src/main.ts', import.meta.url).pathname;
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/** `frontline …` from source as a real process, with the harness's API and key. */
function frontline(harness: Harness, ...args: string[]) {
  const child = spawn(
    process.execPath,
    [
      '--conditions=@frontline/source',
      '--import',
      tsxLoader,
      cliEntry,
      '--api',
      harness.apiUrl,
      '--api-key',
      harness.apiKey,
      ...args,
    ],
    { env: { ...process.env, FRONTLINE_STACK_FILE: '' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.once('close', (code) => resolve({ code, stdout, stderr })),
  );
}

describe('frontline sensitivity', () => {
  let harness: Harness;
  let sweepId: string;

  beforeAll(async () => {
    harness = await startHarness();
    await harness.startWorker(2);
    const created = await harness.submit({
      name: 'cli sensitivity',
      design: {
        kind: 'saltelli',
        samples: 8,
        seed: 3,
        axes: { dose: { min: 0, max: 5 }, immuneKill: { min: 0.01, max: 0.1, scale: 'log' } },
      },
      cohort: { patients: 20, seed: 5 },
    });
    sweepId = created.id;
    await harness.waitForSweep(sweepId, (s) => s.status === 'completed');
  });
  afterAll(async () => {
    await harness?.stop();
  });

  it("prints each axis's indices with intervals as the API serves them; --json prints the answer", async () => {
    const { body } = await harness.request(
      'GET',
      `/v1/sweeps/${sweepId}/sensitivity?endpoint=os&metric=rmst`,
    );
    const answer = body as SensitivityResponse;
    const run = await frontline(harness, 'sensitivity', sweepId, '--metric', 'rmst');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`sweep ${sweepId} — OS RMST to the horizon: 8 base rows, 32 points × 20 patients`);
    expect(lines[1]!.split(/\s{2,}/)).toEqual(['axis', 'first order (95% CI)', 'total (95% CI)']);
    const cell = (e: { value: number; lower: number; upper: number }) =>
      `${e.value.toFixed(3)} (${e.lower.toFixed(3)}–${e.upper.toFixed(3)})`;
    answer.axes.forEach((axis, i) => {
      expect(lines[3 + i]!.trim().split(/\s{2,}/)).toEqual([axis.axis, cell(axis.first), cell(axis.total)]);
    });
    expect(lines[5]).toBe(
      `cohort noise: ${(100 * answer.cohortNoise.share).toFixed(1)}% of the metric's variance across points (warning above 5%)`,
    );

    const json = await frontline(harness, '--json', 'sensitivity', sweepId, '--metric', 'rmst');
    expect(JSON.parse(json.stdout)).toEqual(answer);
  });

  it('passes --at and prints the API error for a metric it does not apply to', async () => {
    const run = await frontline(harness, 'sensitivity', sweepId, '--metric', 'curedFraction', '--at', '365');
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('at applies to survivalAt and rmst only, not to curedFraction');
    expect(run.stderr).toContain('querystring.at');
  });
});
