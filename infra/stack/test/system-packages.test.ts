import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  chromium,
  ensureSystemPrograms,
  findExecutable,
  type Host,
  installAdvice,
  isDebianLike,
  MissingSystemProgramError,
  planInstall,
  redisServer,
} from '../src/system-packages.js';

// A PATH with a fake redis-server only, and an empty one: detection must not depend on this machine.
const withRedis = mkdtempSync(join(tmpdir(), 'frontline-path-'));
const empty = mkdtempSync(join(tmpdir(), 'frontline-path-'));
writeFileSync(join(withRedis, 'redis-server'), '#!/bin/sh\n');
chmodSync(join(withRedis, 'redis-server'), 0o755);
writeFileSync(join(withRedis, 'chromium'), 'not executable');

afterAll(() => {
  rmSync(withRedis, { recursive: true, force: true });
  rmSync(empty, { recursive: true, force: true });
});

const debianRoot: Host = { searchPath: empty, isRoot: true, debianLike: true, aptGet: '/usr/bin/apt-get' };

describe('findExecutable', () => {
  it('finds an executable on the search path', () => {
    expect(findExecutable('redis-server', [empty, withRedis].join(delimiter))).toBe(
      join(withRedis, 'redis-server'),
    );
  });

  it('ignores files that are not executable and paths that lack the program', () => {
    expect(findExecutable('chromium', withRedis)).toBeUndefined();
    expect(findExecutable('redis-server', empty)).toBeUndefined();
  });
});

describe('planInstall', () => {
  it('lists exactly the programs missing from PATH', () => {
    const plan = planInstall([redisServer, chromium], { ...debianRoot, searchPath: withRedis });
    expect(plan.missing.map((program) => program.command)).toEqual(['chromium']);
  });

  it('installs with apt-get only as root on Debian-like hosts with apt-get', () => {
    expect(planInstall([redisServer], debianRoot).canInstall).toBe(true);
    expect(planInstall([redisServer], { ...debianRoot, isRoot: false }).canInstall).toBe(false);
    expect(planInstall([redisServer], { ...debianRoot, debianLike: false }).canInstall).toBe(false);
    expect(planInstall([redisServer], { ...debianRoot, aptGet: undefined }).canInstall).toBe(false);
  });
});

describe('ensureSystemPrograms', () => {
  it('does nothing when every program is present', () => {
    const said: string[] = [];
    ensureSystemPrograms([redisServer], (line) => said.push(line), { ...debianRoot, searchPath: withRedis });
    expect(said).toEqual([]);
  });

  it('as root on Debian, installs what is missing with apt-get (update, then install) and says so', () => {
    // A stand-in apt-get that logs its arguments and "installs" each package as an executable.
    const bin = mkdtempSync(join(tmpdir(), 'frontline-apt-'));
    const calls = join(bin, 'calls');
    const script = `#!/bin/sh\necho "$*" >> "${calls}"\nif [ "$1" = install ]; then for p in "$@"; do case "$p" in -*|install) ;; *) printf '#!/bin/sh\\n' > "${bin}/$p"; chmod +x "${bin}/$p";; esac; done; fi\n`;
    writeFileSync(join(bin, 'apt-get'), script, { mode: 0o755 });
    try {
      const said: string[] = [];
      ensureSystemPrograms([redisServer], (line) => said.push(line), {
        ...debianRoot,
        searchPath: bin,
        aptGet: join(bin, 'apt-get'),
      });
      expect(readFileSync(calls, 'utf8').trim().split('\n')).toEqual([
        'update -qq',
        'install -y -qq --no-install-recommends redis-server',
      ]);
      expect(said).toEqual([
        'installing redis-server with apt-get (missing: redis-server)',
        'installed redis-server',
      ]);
      expect(findExecutable('redis-server', bin)).toBe(join(bin, 'redis-server'));
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  });

  it('elsewhere stops with a message that names the package to install', () => {
    const macUser: Host = { searchPath: empty, isRoot: false, debianLike: false, aptGet: undefined };
    expect(() => ensureSystemPrograms([redisServer], () => {}, macUser)).toThrow(MissingSystemProgramError);
    expect(() => ensureSystemPrograms([redisServer], () => {}, macUser)).toThrow(/package: redis-server/);
  });
});

describe('installAdvice', () => {
  it('names every missing package in one install command', () => {
    expect(installAdvice([redisServer, chromium])).toContain('apt-get install -y redis-server chromium');
  });
});

describe('isDebianLike', () => {
  it('recognises Debian, Ubuntu and derivatives, and nothing else', () => {
    expect(isDebianLike({ ID: 'debian' })).toBe(true);
    expect(isDebianLike({ ID: 'ubuntu', ID_LIKE: 'debian' })).toBe(true);
    expect(isDebianLike({ ID: 'linuxmint', ID_LIKE: 'ubuntu debian' })).toBe(true);
    expect(isDebianLike({ ID: 'fedora' })).toBe(false);
    expect(isDebianLike({})).toBe(false);
  });
});
