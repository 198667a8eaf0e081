import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';

const script = fileURLToPath(new URL('../frontline-workers.sbatch', import.meta.url));
const hasShellcheck = (() => {
  try {
    execFileSync('shellcheck', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe('infra/slurm/frontline-workers.sbatch', () => {
  test('parses (bash -n)', () => {
    expect(execFileSync('bash', ['-n', script], { encoding: 'utf8' })).toBe('');
  });

  test.skipIf(!hasShellcheck)('is clean under shellcheck', () => {
    expect(execFileSync('shellcheck', [script], { encoding: 'utf8' })).toBe('');
  });

  test('asks SLURM for the pre-timeout TERM, with a drain that ends before the limit', () => {
    const directives = [...readFileSync(script, 'utf8').matchAll(/^#SBATCH (\S+)/gm)].map((m) => m[1]);
    expect(directives).toEqual(
      expect.arrayContaining(['--signal=B:TERM@300', '--array=0-3', '--cpus-per-task=4']),
    );
  });

  // The script's body run for real, with a stand-in `node` that prints what the worker would get.
  const runScript = (env: Record<string, string>) => {
    const dir = mkdtempSync(join(tmpdir(), 'frontline-sbatch-'));
    writeFileSync(
      join(dir, 'node'),
      '#!/bin/sh\necho "$WORKER_THREADS $WORKER_PORT $SHUTDOWN_GRACE_MS $PWD $*"\n',
      {
        mode: 0o755,
      },
    );
    try {
      return spawnSync('bash', [script], {
        env: { PATH: `${dir}:/usr/bin:/bin`, FRONTLINE_DIR: dir, ...env },
        encoding: 'utf8',
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  test('threads from SLURM_CPUS_PER_TASK; the worker is exec-ed from the checkout', () => {
    const run = runScript({
      DATABASE_URL: 'postgres://frontline_app:x@db:5432/frontline',
      REDIS_URL: 'redis://:x@redis:6379',
      SLURM_CPUS_PER_TASK: '6',
      SLURM_ARRAY_JOB_ID: '77',
      SLURM_ARRAY_TASK_ID: '3',
    });
    expect(run.status).toBe(0);
    const [banner, worker] = run.stdout.trim().split('\n');
    expect(banner).toMatch(/^frontline worker: job 77_3 on .+, 6 threads$/);
    // Threads, no fixed health port, a 4-minute drain (the TERM comes 5 minutes before the limit).
    expect(worker).toMatch(
      /^6 -1 240000 \/tmp\/frontline-sbatch-\w+ --max-inlined-bytecode-size=2000 --max-inlined-bytecode-size-cumulative=4000 --conditions=@frontline\/source --import tsx apps\/worker\/src\/main\.ts$/,
    );
  });

  test('refuses to start without the shared Postgres and Redis URLs', () => {
    const run = runScript({ REDIS_URL: 'redis://:x@redis:6379' });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('DATABASE_URL: set DATABASE_URL (the app role');
  });
});
