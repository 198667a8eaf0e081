import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Harness, startHarness } from '@frontline/api/test-harness';
import type { PointRow } from '@frontline/contracts';
import { parquetReadObjects } from 'hyparquet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const cliEntry = new URL('../src/main.ts', import.meta.url).pathname;

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The temporary folders this file makes, removed after its tests (each run made three, and left them). */
const folders: string[] = [];
function tempFolder(prefix: string): string {
  const folder = mkdtempSync(join(tmpdir(), prefix));
  folders.push(folder);
  return folder;
}
afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

/** A folder outside the repository: the CLI is used from wherever its user works. */
const outside = tempFolder('frontline-cli-');
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/** The environment without the CLI's own variables; `extra` sets some. */
function cliEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of [
    'FRONTLINE_API',
    'FRONTLINE_KEY',
    'FRONTLINE_API_KEY',
    'FRONTLINE_STACK_FILE',
    'INIT_CWD',
  ])
    delete env[name];
  return { ...env, ...extra };
}

/**
 * Run `frontline …` from source as a real process, from a folder outside the repository. No local
 * stack's file unless `env` says otherwise: a stack running in this checkout must not lend its key.
 */
function frontline(
  args: readonly string[],
  {
    cwd = outside,
    env = cliEnv({ FRONTLINE_STACK_FILE: '' }),
  }: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<CliRun> {
  const child = spawn(
    process.execPath,
    ['--conditions=@frontline/source', '--import', tsxLoader, cliEntry, ...args],
    {
      cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  return collect(child);
}

function collect(child: ReturnType<typeof spawn>): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
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
    dir = outside;
    writeFileSync(join(dir, 'spec.yaml'), spec);
    cli = (...args) => frontline(['--api', harness.apiUrl, '--api-key', harness.apiKey, ...args]);
  });
  afterAll(async () => {
    await harness?.stop();
  });

  it('submit --dry-run prints what the sweep would cost and creates nothing', async () => {
    const count = async () =>
      (await harness.pool.query('select count(*)::int as n from sweeps')).rows[0].n as number;
    const before = await count();
    const run = await cli('submit', 'spec.yaml', '--dry-run');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout.split('\n').slice(0, 4)).toEqual([
      'dry run: nothing was created',
      '  2 points × 150 patients = 300 simulations, 0 reused, 300 to run',
      '  4 chunks of up to 75 simulations',
      '  storage (estimate): 82.5 kB with outcomes: full, 3.3 kB with outcomes: summary',
    ]);
    const json = await cli('--json', 'submit', 'spec.yaml', '--dry-run');
    expect(JSON.parse(json.stdout)).toMatchObject({
      dryRun: true,
      simulations: 300,
      toSimulate: 300,
      chunks: 4,
    });
    expect(await count()).toBe(before);
  });

  it("submit --watch submits the YAML spec (a path relative to the caller's folder), follows it to the end and exits 0", async () => {
    const run = await cli('submit', 'spec.yaml', '--watch');
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

  it('hazard-ratios and power print the numbers the API serves (and --json the API answer itself)', async () => {
    const run = await cli('hazard-ratios', sweepId, '--group-by', 'dose');
    expect(run.code).toBe(0);
    const { body } = await harness.request(
      'GET',
      `/v1/sweeps/${sweepId}/hazard-ratios?endpoint=os&groupBy=dose`,
    );
    const lines = run.stdout.split('\n');
    expect(lines[0]).toBe(`OS hazard ratios — sweep ${sweepId}`);
    const treated = body.groups[1];
    expect(lines[3]!.split(/\s{2,}/)).toEqual([
      'dose=0',
      '150',
      '150',
      String(body.groups[0].events),
      'reference',
    ]);
    expect(lines[4]!.split(/\s{2,}/)).toEqual([
      'dose=2',
      '150',
      '150',
      String(treated.events),
      `${treated.hazardRatio.toFixed(3)} (${treated.lower.toFixed(3)}–${treated.upper.toFixed(3)})`,
      treated.pValue < 1e-4 ? treated.pValue.toExponential(1) : treated.pValue.toFixed(4),
    ]);
    expect(run.stdout).toContain('Cox (Efron ties), each arm against dose=0\n');
    const json = await cli('--json', 'hazard-ratios', sweepId, '-g', 'dose');
    expect(JSON.parse(json.stdout)).toEqual(body);

    const power = await cli(
      '--json',
      'power',
      sweepId,
      '-g',
      'dose',
      '-a',
      '2',
      '-n',
      '20,60',
      '--replicates',
      '100',
    );
    expect(power.code).toBe(0);
    const served = await harness.request(
      'GET',
      `/v1/sweeps/${sweepId}/power?endpoint=os&groupBy=dose&arm=2&patientsPerArm=20%2C60&alpha=0.05&replicates=100&accrualDays=365&followUpDays=730&seed=1`,
    );
    expect(JSON.parse(power.stdout)).toEqual(served.body);
    const printed = await cli(
      'power',
      sweepId,
      '-g',
      'dose',
      '-a',
      '2',
      '-n',
      '20,60',
      '--replicates',
      '100',
    );
    const powerLines = printed.stdout.split('\n');
    const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
    for (const [i, row] of served.body.rows.entries())
      expect(powerLines[3 + i]!.trim().split(/\s{2,}/)).toEqual([
        String(row.patientsPerArm),
        `${pct(row.power)} (${pct(row.lower)}–${pct(row.upper)})`,
        pct(row.schoenfeld),
        row.expectedEvents.toFixed(1),
      ]);
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
        'Pass an API key with --api-key <key> or set FRONTLINE_KEY.\n',
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
    expect(run.stdout).toMatch(
      /^\d+\/2 threads busy \(at the workers' last heartbeat\), \d+ chunks running$/m,
    );
    expect(run.stdout).toMatch(/^worker\s+pid\s+threads\s+busy\s+chunks\s+last seen$/m);
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

  it("a relative spec path resolves against the caller's folder, and a missing one names the absolute path tried", async () => {
    const nested = join(dir, 'specs', 'trial');
    mkdirSync(nested, { recursive: true });
    const run = await cli('submit', '../missing.yaml');
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`error: cannot read ${join(dir, '..', 'missing.yaml')}: no such file\n`);
    const fromNested = await frontline(
      ['--api', harness.apiUrl, '--api-key', harness.apiKey, 'submit', 'spec.yaml'],
      {
        cwd: nested,
      },
    );
    expect(fromNested.stderr).toBe(`error: cannot read ${join(nested, 'spec.yaml')}: no such file\n`);
  });

  it('takes the API and key from FRONTLINE_API / FRONTLINE_KEY, else from the nearest .frontline/stack.json up from the caller', async () => {
    const byEnv = await frontline(['--json', 'status', sweepId], {
      env: cliEnv({ FRONTLINE_STACK_FILE: '', FRONTLINE_API: harness.apiUrl, FRONTLINE_KEY: harness.apiKey }),
    });
    expect(byEnv.code).toBe(0);
    expect(JSON.parse(byEnv.stdout).id).toBe(sweepId);

    const project = tempFolder('frontline-project-');
    mkdirSync(join(project, '.frontline'));
    writeFileSync(
      join(project, '.frontline', 'stack.json'),
      JSON.stringify({ apiUrl: harness.apiUrl, adminKey: harness.apiKey, appDatabaseUrl: '', redisUrl: '' }),
    );
    const deep = join(project, 'analysis', '2026');
    mkdirSync(deep, { recursive: true });
    const byStack = await frontline(['--json', 'status', sweepId], { cwd: deep, env: cliEnv() });
    expect(byStack.code).toBe(0);
    expect(JSON.parse(byStack.stdout).id).toBe(sweepId);

    // The stack's key goes to the stack only: another URL gets no key (a 401, not the admin key).
    const elsewhere = await frontline(['status', sweepId], {
      cwd: deep,
      env: cliEnv({ FRONTLINE_API: harness.apiUrl.replace('127.0.0.1', 'localhost') }),
    });
    expect(elsewhere.code).toBe(1);
    expect(elsewhere.stderr).toMatch(/^error: missing API key/);
  });

  it('says the API did not answer within N s when it accepts the connection but stays silent', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => sockets.push(socket)); // accepts, never answers
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(silent.address() as { port: number }).port}`;
    try {
      const run = await frontline(['--api', url, '--timeout', '1', 'status', sweepId]);
      expect(run.code).toBe(3);
      expect(run.stderr).toBe(
        `error: the API at ${url} did not answer within 1 s (it accepted the connection, so it is running but slow or stuck).\n` +
          'Try again, or give it longer with --timeout <seconds>.\n',
      );
      const watched = await frontline(['--api', url, '--timeout', '1', 'watch', sweepId]);
      expect(watched.stderr).toContain(`the API at ${url} did not answer within 1 s`);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('params lists the catalogue the API serves; --json prints it as served; a misspelt axis gets a suggestion', async () => {
    const { body } = await harness.request('GET', '/v1/model/parameters?model=lf-tid@2');
    const json = await cli('--json', 'params', '--model', 'lf-tid@2');
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual(body);
    const text = await cli('params');
    expect(text.stdout.split('\n')[0]).toBe(
      "parameters of lf-tid@2 (set them in a spec's params, or vary them as design axes)",
    );
    const row = text.stdout.split('\n').find((line) => line.startsWith('immuneKill '));
    expect(row?.split(/\s{2,}/).slice(0, 6)).toEqual([
      'immuneKill',
      '0.035',
      'd⁻¹',
      '0',
      '1000000',
      'yes (σ: immuneKillSigma)',
    ]);

    writeFileSync(
      join(dir, 'typo.yaml'),
      spec.replace('    dose: [0, 2]', '    dose: [0, 2]\n    imuneKill: [0.01, 0.03]'),
    );
    const typo = await cli('submit', 'typo.yaml');
    expect(typo.code).toBe(1);
    expect(typo.stderr).toContain(
      '  - design.axes.imuneKill: unknown parameter of lf-tid@2 (did you mean `immuneKill`?); see GET /v1/model/parameters or `frontline params`\n',
    );
  });

  it("points prints the per-point table with the API's numbers; --json and --csv carry them unrounded", async () => {
    const { body } = await harness.request('GET', `/v1/sweeps/${sweepId}/points`);
    const run = await cli('points', sweepId);
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`sweep ${sweepId} (completed) — 2 points`);
    expect(lines[1]).toMatch(
      /^dose\s+patients\s+median OS \(95% CI\), d\s+OS 12 mo\s+OS 24 mo\s+median PFS \(95% CI\), d\s+cured\s+ORR\s+toxic deaths\s+dose intensity\s+CR\/PR\/SD\/PD$/,
    );
    const interval = (m: { value: number | null; lower: number | null; upper: number | null }) => {
      const limit = (v: number | null) => (v === null ? 'NA' : v.toFixed(1));
      if (m.value === null) return m.lower === null ? 'NR' : `NR (${limit(m.lower)}–${limit(m.upper)})`;
      return `${m.value.toFixed(1)} (${limit(m.lower)}–${limit(m.upper)})`;
    };
    const fixed = (v: number | null) => (v === null ? '–' : v.toFixed(3));
    for (const [i, p] of body.points.entries()) {
      expect(lines[3 + i]!.trim().split(/\s{2,}/)).toEqual([
        String(p.axisValues.dose),
        String(p.patients),
        interval(p.os.median),
        fixed(p.os.at365),
        fixed(p.os.at730),
        interval(p.pfs.median),
        fixed(p.curedFraction),
        // lf-tid@2's trial outputs
        fixed(p.objectiveResponseRate),
        `${p.toxicDeaths} (${fixed(p.toxicDeathFraction)})`,
        fixed(p.meanDoseIntensity),
        `${p.bestResponse.CR}/${p.bestResponse.PR}/${p.bestResponse.SD}/${p.bestResponse.PD}`,
      ]);
    }
    const json = await cli('--json', 'points', sweepId);
    expect(JSON.parse(json.stdout)).toEqual(body); // one page: the same document

    const csv = await cli('points', sweepId, '--csv', 'points.csv');
    expect(csv.stdout).toBe(`wrote 2 points to ${join(dir, 'points.csv')}\n`);
    const [header, ...rows] = readFileSync(join(dir, 'points.csv'), 'utf8').trimEnd().split('\n');
    expect(header).toBe(
      'pointIndex,dose,patients,osMedian,osMedianLower,osMedianUpper,osAt365,osAt730,osRmst,pfsMedian,pfsMedianLower,pfsMedianUpper,pfsAt365,pfsAt730,pfsRmst,curedFraction,medianLeaderFractionAtDiagnosis,CR,PR,SD,PD,objectiveResponseRate,toxicDeaths,toxicDeathFraction,meanDoseIntensity,grade4NeutropeniaRate',
    );
    const cell = (v: number | null | undefined) => (v === null || v === undefined ? '' : String(v));
    expect(rows).toEqual(
      body.points.map((p: PointRow) =>
        [
          p.pointIndex,
          p.axisValues.dose,
          p.patients,
          ...(['os', 'pfs'] as const).flatMap((e) => [
            p[e].median.value,
            p[e].median.lower,
            p[e].median.upper,
            p[e].at365,
            p[e].at730,
            p[e].rmst,
          ]),
          p.curedFraction,
          p.medianLeaderFractionAtDiagnosis,
          p.bestResponse.CR,
          p.bestResponse.PR,
          p.bestResponse.SD,
          p.bestResponse.PD,
          p.objectiveResponseRate,
          p.toxicDeaths,
          p.toxicDeathFraction,
          p.meanDoseIntensity,
          p.grade4NeutropeniaRate,
        ]
          .map(cell)
          .join(','),
      ),
    );
  });

  it('builds a real bin: packed, installed with npm i -g into a prefix, run from a folder outside the repository', async () => {
    const cliDir = new URL('..', import.meta.url).pathname;
    execFileSync('npx', ['-y', 'pnpm@10.34.9', '--filter', '@frontline/cli', 'build'], {
      cwd: cliDir,
      stdio: 'pipe',
    });
    const bin = readFileSync(join(cliDir, 'dist', 'frontline.js'), 'utf8');
    expect(bin.startsWith('#!/usr/bin/env node\n')).toBe(true);
    const packs = tempFolder('frontline-pack-');
    execFileSync('npm', ['pack', '--pack-destination', packs], { cwd: cliDir, stdio: 'pipe' });
    const [tarball] = readdirSync(packs).filter((f) => f.endsWith('.tgz'));
    expect(tarball).toBe('frontline-cli-0.1.0.tgz');
    const prefix = join(packs, 'prefix');
    // Every dependency is inside the bundle: the install needs no registry.
    execFileSync('npm', ['install', '--global', '--offline', '--prefix', prefix, join(packs, tarball!)], {
      cwd: packs,
      stdio: 'pipe',
    });
    const installed = join(prefix, 'bin', 'frontline');
    const run = (args: string[]) =>
      collect(
        spawn(installed, args, {
          cwd: outside,
          env: cliEnv({
            FRONTLINE_STACK_FILE: '',
            FRONTLINE_API: harness.apiUrl,
            FRONTLINE_KEY: harness.apiKey,
          }),
          stdio: ['ignore', 'pipe', 'pipe'],
        }),
      );
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: frontline \[options\] \[command\]/);
    expect(help.stdout).toContain('params [options]');
    const params = await run(['params', '--json']);
    expect(params.stderr).toBe('');
    expect(JSON.parse(params.stdout)).toEqual((await harness.request('GET', '/v1/model/parameters')).body);
    const points = await run(['points', sweepId, '--json']);
    expect(JSON.parse(points.stdout).sweepId).toBe(sweepId);
  });
});
