import { rmSync, writeFileSync } from 'node:fs';
import type { StackFile } from '@frontline/config';

/** What `.frontline/stack.json` holds while a local stack runs. */
export interface LocalStackFile extends StackFile {
  workerUrls: string[];
  /** Processes of this stack by name (supervisor, postgres, redis, api, worker-1…). */
  pids: Record<string, number>;
  startedAt: string;
}

/** Written once everything is healthy; mode 600 because the URLs carry the database password. */
export function writeStackFile(path: string, contents: LocalStackFile): void {
  rmSync(path, { force: true }); // a fresh file gets the mode; an existing one would keep its own
  writeFileSync(path, `${JSON.stringify(contents, null, 2)}\n`, { mode: 0o600 });
}

export function removeStackFile(path: string): void {
  rmSync(path, { force: true });
}
