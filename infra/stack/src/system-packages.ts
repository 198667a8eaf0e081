import { execFileSync } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { childEnv, searchPath } from './env.js';

/** A program the stack or the tests need, and the Debian/Ubuntu package that provides it. */
export interface SystemProgram {
  command: string;
  debianPackage: string;
  /** Why it is needed, for the messages. */
  purpose: string;
}

export const redisServer: SystemProgram = {
  command: 'redis-server',
  debianPackage: 'redis-server',
  purpose: 'the local Redis (BullMQ queues)',
};

export const pgbouncer: SystemProgram = {
  command: 'pgbouncer',
  debianPackage: 'pgbouncer',
  purpose: 'the transaction-pooling test (tenants behind pgbouncer, docs/multi-host.md)',
};

export const chromium: SystemProgram = {
  command: 'chromium',
  debianPackage: 'chromium',
  purpose: 'browser tests of the dashboard',
};

export const slurm: SystemProgram = {
  command: 'slurmctld',
  debianPackage: 'slurm-wlm',
  purpose: 'the one-node SLURM cluster of the sbatch workers test',
};

export const munge: SystemProgram = {
  command: 'munged',
  debianPackage: 'munge',
  purpose: "SLURM's authentication in the sbatch workers test",
};

export const shellcheck: SystemProgram = {
  command: 'shellcheck',
  debianPackage: 'shellcheck',
  purpose: 'checking the SLURM batch script',
};

export class MissingSystemProgramError extends Error {
  override name = 'MissingSystemProgramError';
}

/** The absolute path of `command` on `path` (default: PATH), or undefined. */
export function findExecutable(command: string, path = searchPath()): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {}
  }
  return undefined;
}

/** Whether /etc/os-release names Debian or a derivative (Ubuntu, …). */
export function isDebianLike(osRelease = readOsRelease()): boolean {
  const ids = `${osRelease.ID ?? ''} ${osRelease.ID_LIKE ?? ''}`.split(/\s+/);
  return ids.includes('debian') || ids.includes('ubuntu');
}

export function readOsRelease(path = '/etc/os-release'): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return {};
  }
  const fields: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (match?.[1] && match[2] !== undefined) fields[match[1]] = match[2].replace(/^"(.*)"$/, '$1');
  }
  return fields;
}

export interface InstallPlan {
  missing: SystemProgram[];
  /** apt-get can install them here (Debian/Ubuntu, as root, apt-get present). */
  canInstall: boolean;
}

export interface Host {
  searchPath: string;
  isRoot: boolean;
  debianLike: boolean;
  /** Path of apt-get, if present. */
  aptGet: string | undefined;
}

export function currentHost(): Host {
  const path = searchPath();
  return {
    searchPath: path,
    isRoot: process.getuid?.() === 0,
    debianLike: isDebianLike(),
    aptGet: findExecutable('apt-get', path),
  };
}

/** Which of `programs` are missing on `host`, and whether we may install them. Pure: no side effects. */
export function planInstall(programs: readonly SystemProgram[], host: Host): InstallPlan {
  const missing = programs.filter((program) => !findExecutable(program.command, host.searchPath));
  return { missing, canInstall: host.isRoot && host.debianLike && host.aptGet !== undefined };
}

/** What to tell someone who must install the programs themselves. */
export function installAdvice(missing: readonly SystemProgram[]): string {
  const lines = missing.map(
    (p) => `  ${p.command} — ${p.purpose} (Debian/Ubuntu package: ${p.debianPackage})`,
  );
  const packages = missing.map((p) => p.debianPackage).join(' ');
  return [
    `missing program${missing.length > 1 ? 's' : ''}:`,
    ...lines,
    `install with your package manager, e.g. \`sudo apt-get install -y ${packages}\` (Homebrew: redis, chromium),`,
    'then run the command again.',
  ].join('\n');
}

/**
 * Make sure every program is on PATH. On Debian/Ubuntu as root, missing ones are installed with
 * apt-get (said on `log`); anywhere else a MissingSystemProgramError names the packages to install.
 */
export function ensureSystemPrograms(
  programs: readonly SystemProgram[],
  log: (line: string) => void,
  host: Host = currentHost(),
): void {
  const plan = planInstall(programs, host);
  if (plan.missing.length === 0) return;
  if (!plan.canInstall || host.aptGet === undefined)
    throw new MissingSystemProgramError(installAdvice(plan.missing));
  const packages = plan.missing.map((p) => p.debianPackage);
  log(
    `installing ${packages.join(', ')} with apt-get (missing: ${plan.missing.map((p) => p.command).join(', ')})`,
  );
  const env = childEnv({ DEBIAN_FRONTEND: 'noninteractive' });
  // Fresh machines and containers often have empty package lists.
  execFileSync(host.aptGet, ['update', '-qq'], { stdio: ['ignore', 'inherit', 'inherit'], env });
  execFileSync(host.aptGet, ['install', '-y', '-qq', '--no-install-recommends', ...packages], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env,
  });
  const still = planInstall(programs, host).missing;
  if (still.length > 0)
    throw new MissingSystemProgramError(`apt-get ran but ${still[0]?.command} is still missing`);
  log(`installed ${packages.join(', ')}`);
}
