import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { PointsResponse, SweepCreated } from '@frontline/contracts';
import { sourceNodeFlags } from './apps.js';
import { childEnv } from './env.js';
import { projectRoot } from './paths.js';

export interface DemoOptions {
  apiUrl: string;
  adminKey: string;
}

const cliEntry = join(projectRoot, 'apps', 'cli', 'src', 'main.ts');
export const demoSpec = join(projectRoot, 'apps', 'cli', 'examples', 'demo-sweep.yaml');

/** Run the `frontline` CLI against the stack; resolves with its stdout when `capture` is set. */
function frontline(options: DemoOptions, args: string[], capture = false): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...sourceNodeFlags, cliEntry, '--api', options.apiUrl, ...args], {
      cwd: projectRoot,
      env: childEnv({ FRONTLINE_API_KEY: options.adminKey }),
      stdio: ['ignore', capture ? 'pipe' : 'inherit', 'inherit'],
    });
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`frontline ${args.join(' ')} exited with ${code}`)),
    );
  });
}

const days = (value: number | null) => (value === null ? 'NA' : value.toFixed(0));
/** A median the curve never reaches (S stays above 0.5) is "not reached", as the CLI prints it. */
const median = (value: number | null) => (value === null ? 'NR' : value.toFixed(0));
const fixed = (value: number | null, digits = 3) => (value === null ? 'NA' : value.toFixed(digits));

/**
 * Per-point table from GET /v1/sweeps/{id}/points: median OS with its CI, OS at 24 months, and
 * lf-tid@2's trial outputs — objective response rate, toxic deaths, mean relative dose intensity of
 * the treated, grade-4 neutropenia — the two sides of the therapeutic window.
 */
async function printPointTable(options: DemoOptions, sweepId: string) {
  const response = await fetch(`${options.apiUrl}/v1/sweeps/${sweepId}/points`, {
    headers: { authorization: `Bearer ${options.adminKey}` },
  });
  if (!response.ok) throw new Error(`GET points answered ${response.status}: ${await response.text()}`);
  const { axes, points } = (await response.json()) as PointsResponse;
  const header = [
    ...axes,
    'patients',
    'median OS (95% CI), d',
    'OS 24 mo',
    'ORR',
    'toxic deaths',
    'dose intensity',
    'grade-4 neutropenia',
  ];
  const rows = points.map((p) => [
    ...axes.map((axis) => String(p.axisValues[axis])),
    String(p.patients),
    `${median(p.os.median.value)} (${days(p.os.median.lower)}–${days(p.os.median.upper)})`,
    fixed(p.os.at730),
    fixed(p.objectiveResponseRate),
    p.toxicDeaths === null ? 'NA' : `${p.toxicDeaths} (${fixed(p.toxicDeathFraction)})`,
    p.meanDoseIntensity === null ? '–' : fixed(p.meanDoseIntensity, 2),
    fixed(p.grade4NeutropeniaRate),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i]!)).join('  ');
  console.log(line(header));
  for (const row of rows) console.log(line(row));
}

/**
 * The quick-start run: submit the demo sweep (lf-tid@2, 5 doses × 2 immune-kill rates × 2 EMT
 * plasticities × 400 patients), follow its progress, then print the per-point table and the
 * survival curves grouped by dose. The stack stops afterwards, so the closing lines say how to
 * reopen it rather than print links that no longer answer.
 */
export async function runDemo(options: DemoOptions): Promise<void> {
  console.log(`[demo] submitting ${demoSpec.slice(projectRoot.length + 1)}`);
  const created = JSON.parse(await frontline(options, ['--json', 'submit', demoSpec], true)) as SweepCreated;
  console.log(`[demo] sweep ${created.id}: ${created.simulations} simulations (${created.reused} reused)`);
  await frontline(options, ['watch', created.id]);
  console.log('\n[demo] per point (ORR: confirmed RECIST 1.1 response; dose intensity of the treated):');
  await printPointTable(options, created.id);
  console.log('\n[demo] overall survival by dose (log-rank against dose 0):');
  await frontline(options, ['curves', created.id, '--endpoint', 'os', '--group-by', 'dose']);
  console.log(
    `\n[demo] done; the stack is stopping and its outcomes are kept (sweep ${created.id}).\n` +
      '[demo] to look again, run `npx -y pnpm@10.34.9 stack` and open the API URL it prints ' +
      '(the dashboard at /, the API docs at /docs).',
  );
}
