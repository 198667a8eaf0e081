import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** What the local stack writes to `.frontline/stack.json` so the CLI and scripts can find it. */
export interface StackFile {
  apiUrl: string;
  /** The owner's login (migrations, admin key); absent on a machine given only APP_DATABASE_URL. */
  databaseUrl?: string;
  /** The app role's login, what the API and workers use. */
  appDatabaseUrl: string;
  /** With the Redis password. */
  redisUrl: string;
  workerUrls?: string[];
  adminKey?: string;
  startedAt?: string;
}

/** The nearest `.frontline/stack.json`, searching from `from` up to the filesystem root. */
export function stackFilePath(from: string = process.cwd()): string | undefined {
  // FRONTLINE_STACK_FILE names the file to use instead (empty: none), e.g. another checkout's stack.
  const named = process.env.FRONTLINE_STACK_FILE;
  if (named !== undefined) return named && existsSync(named) ? named : undefined;
  let dir = resolve(from);
  for (;;) {
    const candidate = join(dir, '.frontline', 'stack.json');
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

export function readStackFile(from?: string): StackFile | undefined {
  const path = stackFilePath(from);
  if (!path) return undefined;
  return JSON.parse(readFileSync(path, 'utf8')) as StackFile;
}
