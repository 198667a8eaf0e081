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

export interface StackFileLookup {
  /** Where to start searching upwards (default: the working directory). */
  from?: string;
  /** A file named by the caller's configuration (the CLI's FRONTLINE_STACK_FILE); '' means none. */
  named?: string;
}

/** The named stack file, else the nearest `.frontline/stack.json` from `from` up to the filesystem root. */
export function stackFilePath({ from = process.cwd(), named }: StackFileLookup = {}): string | undefined {
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

export function readStackFile(lookup: StackFileLookup = {}): StackFile | undefined {
  const path = stackFilePath(lookup);
  if (!path) return undefined;
  return JSON.parse(readFileSync(path, 'utf8')) as StackFile;
}
