import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Harness, startHarness } from '@frontline/api/test-harness';
import { projectRoot } from '@frontline/stack';
import { parquetReadObjects } from 'hyparquet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const cliEntry = new URL('../src/main.ts', import.meta.url).pathname;

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run `frontline …` from source as a real process, the way `pnpm frontline` does. */
function frontline(args: readonly string[]): Promise<CliRun> {
  const child = spawn(
    process.execPath,
    ['--conditions=@frontline/source', '--import', 'tsx', cliEntry, ...args],
    // No local stack's file: a stack running in this checkout must not lend the tests its key.
    {
      cwd: projectRoot,
      env: { ...process.env, FRONTLINE_STACK_FILE: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const spec = `# two arms at the model's default horizon, so S(1y) and S(2y) exist
name: cli arms
design:
  kind: grid
  axes:
    dose: [0, 2]
cohort:
  patients: 150
  seed: 7101
  chunkSize: 75
referenceArm:
  dose: 0
`;

describe('frontline CLI against a real API', () => {
  let harness: Harness;
  let dir: string;
  let sweepId: string;
  let cli: (...args: string[]) => Promise<CliRun>;

  beforeAll(async () => {
    harness = await startHarness();
    await harness.startWorker(2);
    dir = mkdtempSync(join(tmpdir(), 'frontline-cli-'));
    writeFileSync(join(dir, 'spec.yaml'), spec);
    cli = (...args) => frontline(['--api', harness.apiUrl, '--api-key', harness.apiKey, ...args]);
  });
  afterAll(async () => {
    await harness?.stop();
  });

  it('submit --watch submits the YAML spec, follows it to the end and exits 0', async () => {
    const run = await cli('submit', join(dir, 'spec.yaml'), '--watch');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const id = /submitted sweep ([0-9a-f-]{36})/.exec(run.stdout)?.[1];
    expect(id).toBeDefined();
    sweepId = id!;
    expect(run.stdout).toContain('2 points × 150 patients = 300 simulations, 0 reused');
    expect(run.stdout).toMatch(new RegExp(`sweep ${sweepId} completed — 300/300 simulations`));
    const { body } = await harness.request('GET', `/v1/sweeps/${sweepId}`);
    expect(body.status).toBe('completed');
  });

  it('curves prints one row per group with the numbers the API serves, and writes the curves as CSV', async () => {
    const csvPath = join(dir, 'curves.csv');
    const run = await cli('curves', sweepId, '--endpoint', 'os', '--group-by', 'dose', '--csv', csvPath);
    expect(run.code).toBe(0);
    const { body } = await harness.request('GET', `/v1/sweeps/${sweepId}/survival?endpoint=os&groupBy=dose`);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toBe(`OS — sweep ${sweepId}`);
    expect(lines[1]).toMatch(
      /^group\s+patients\s+events\s+median days \(95% CI\)\s+S\(1y\)\s+S\(2y\)\s+log-rank p$/,
    );
    const fixed = (v: number | null, digits: number) => (v === null ? '–' : v.toFixed(digits));
    for (const [i, group] of body.groups.entries()) {
      const cells = lines[3 + i]!.split(/\s{2,}/);
      const { value, lower, upper } = group.median;
      expect(cells).toEqual([
        `dose=${group.key.dose}`,
        String(group.patients),
        String(group.events),
        (value === null ? 'NR' : fixed(value, 1)) +
          (value === null && lower === null
            ? ''
            : ` (${lower === null ? 'NA' : fixed(lower, 1)}–${upper === null ? 'NA' : fixed(upper, 1)})`),
        fixed(group.survivalAt['365'].survival, 3),
        fixed(group.survivalAt['730'].survival, 3),
        group.key.dose === 0
          ? 'reference'
          : group.logRank.pValue < 1e-4
            ? group.logRank.pValue.toExponential(1)
            : group.logRank.pValue.toFixed(4),
      ]);
    }
    expect(body.groups.map((g: { patients: number }) => g.patients)).toEqual([150, 150]);
    expect(run.stdout).toContain('log-rank: each group against the group with dose=0');

    const [header, ...rows] = readFileSync(csvPath, 'utf8').trimEnd().split('\n');
    expect(header).toBe('group,dose,time,nRisk,nEvent,nCensor,survival,stdErr,lower,upper');
    const expected = body.groups.flatMap(
      (g: { key: { dose: number }; curve: Record<string, (number | null)[]> }) =>
        g.curve.time!.map((_, i) =>
          [
            `dose=${g.key.dose}`,
            g.key.dose,
            ...['time', 'nRisk', 'nEvent', 'nCensor', 'survival', 'stdErr', 'lower', 'upper'].map(
              (f) => g.curve[f]![i],
            ),
          ]
            .map((v) => (v === null ? '' : String(v)))
            .join(','),
        ),
    );
    expect(rows).toEqual(expected);
  });

  it('--json prints exactly what the API answers', async () => {
    for (const [args, path] of [
      [['status', sweepId], `/v1/sweeps/${sweepId}`],
      [
        ['curves', sweepId, '--group-by', 'dose', '--endpoint', 'pfs'],
        `/v1/sweeps/${sweepId}/survival?endpoint=pfs&at=365%2C730&groupBy=dose`,
      ],
      [['list', '--limit', '5'], '/v1/sweeps?limit=5'],
    ] as const) {
      const run = await cli('--json', ...args);
      expect(run.code).toBe(0);
      const { body } = await harness.request('GET', path);
      expect(JSON.parse(run.stdout)).toEqual(body);
    }
  });

  it('export writes Parquet and CSV files that read back equal to the API export', async () => {
    const ndjson = await fetch(`${harness.apiUrl}/v1/sweeps/${sweepId}/outcomes?format=ndjson`, {
      headers: harness.authHeaders,
    });
    const expected = (await ndjson.text())
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(expected).toHaveLength(300);

    const parquetPath = join(dir, 'out.parquet');
    const run = await cli('export', sweepId, '--format', 'parquet', '-o', parquetPath);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^wrote [\d,]+ bytes of parquet to /);
    const file = readFileSync(parquetPath);
    const rows = await parquetReadObjects({
      file: file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength),
    });
    expect(rows.map((r) => ({ ...r, cohortSeed: Number(r.cohortSeed) }))).toEqual(expected);

    const csvPath = join(dir, 'out.csv');
    const json = await cli('--json', 'export', sweepId, '--format', 'csv', '-o', csvPath);
    const csv = await (
      await fetch(`${harness.apiUrl}/v1/sweeps/${sweepId}/outcomes?format=csv`, {
        headers: harness.authHeaders,
      })
    ).text();
    expect(readFileSync(csvPath, 'utf8')).toBe(csv);
    expect(JSON.parse(json.stdout)).toEqual({
      sweepId,
      format: 'csv',
      file: csvPath,
      bytes: Buffer.byteLength(csv),
      partial: false,
    });
  });

  it('prints the API error message and details, and exits non-zero', async () => {
    const run = await cli('curves', sweepId, '--group-by', 'dose,nope');
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      "error: unknown axis 'nope' in groupBy; this sweep's axes are: dose\n" +
        "  - querystring.groupBy: 'nope' is not an axis of this sweep\n",
    );
    const missing = await cli('status', '00000000-0000-4000-8000-000000000000');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('error: no sweep 00000000-0000-4000-8000-000000000000\n');
  });

  it('without an API key, prints the 401 message and how to pass a key', async () => {
    const run = await frontline(['--api', harness.apiUrl, 'status', sweepId]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      'error: missing API key: send "Authorization: Bearer <api key>"\n' +
        'Pass an API key with --api-key <key> or set FRONTLINE_API_KEY.\n',
    );
  });

  it('names the URL and suggests `pnpm stack` when the API cannot be reached', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const run = await frontline(['--api', url, 'status', sweepId]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain(`cannot reach the Frontline API at ${url} (ECONNREFUSED)`);
    expect(run.stderr).toContain('pnpm stack');
  });

  it('queue shows the queue counts and the connected worker', async () => {
    const run = await cli('queue');
    expect(run.code).toBe(0);
    const { body } = await harness.request('GET', '/v1/queue');
    const [queue] = body.queues;
    expect(run.stdout).toContain(
      `queue ${queue.name}: ${queue.counts.waiting} waiting, ${queue.counts.active} active`,
    );
    expect(queue.workers.length).toBeGreaterThan(0);
    expect(run.stdout).toContain(queue.workers[0].host);
  });

  it('cancel stops a running sweep and watch then exits 2; cancelling again changes nothing', async () => {
    const big = join(dir, 'big.json');
    writeFileSync(
      big,
      JSON.stringify({
        name: 'cli cancel',
        design: { kind: 'grid', axes: { dose: [0, 1, 2, 3] } },
        cohort: { patients: 5000, seed: 7102, chunkSize: 100 },
        params: { horizonDays: 120 },
      }),
    );
    const submitted = await cli('--json', 'submit', big);
    const { id } = JSON.parse(submitted.stdout);
    const cancelled = await cli('cancel', id);
    expect(cancelled.stdout).toBe(`cancelled sweep ${id}\n`);
    const watched = await cli('watch', id);
    expect(watched.code).toBe(2);
    expect(watched.stdout).toContain(`sweep ${id} cancelled`);
    const again = await cli('cancel', id);
    expect(again.stdout).toBe(`sweep ${id} is already cancelled; nothing to cancel\n`);
  });
  it('keys create | list | revoke manage API keys; the new token works until revoked', async () => {
    const created = await cli(
      '--json',
      'keys',
      'create',
      '--tenant',
      harness.tenantId,
      '--role',
      'read',
      '--name',
      'cli key',
    );
    expect(created.code).toBe(0);
    const key = JSON.parse(created.stdout) as { id: string; token: string; role: string; tenantId: string };
    expect(key).toMatchObject({ role: 'read', tenantId: harness.tenantId });
    expect(key.token).toMatch(new RegExp(`^fl_${key.id}_`));
    const asReader = (...args: string[]) =>
      frontline(['--api', harness.apiUrl, '--api-key', key.token, ...args]);
    expect((await asReader('--json', 'list')).code).toBe(0);

    const listed = await cli('keys', 'list');
    expect(listed.code).toBe(0);
    const row = listed.stdout.split('\n').find((line) => line.startsWith(key.id));
    expect(row).toMatch(new RegExp(`${key.id}\\s+${harness.tenantId}\\s+read\\s+cli key`));
    expect(listed.stdout).not.toContain(key.token);

    const revoked = await cli('keys', 'revoke', key.id);
    expect(revoked).toMatchObject({ code: 0, stdout: `revoked key ${key.id}\n` });
    const refused = await asReader('list');
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/unknown or revoked API key/);
    const notAdmin = await frontline([
      '--api',
      harness.apiUrl,
      '--api-key',
      await harness.createKey('submit'),
      'keys',
      'list',
    ]);
    expect(notAdmin.code).not.toBe(0);
    expect(notAdmin.stderr).toMatch(/needs "admin"/);
  });
});
