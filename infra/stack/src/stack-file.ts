import { rmSync } from 'node:fs';
import type { StackFile } from '@frontline/config';
import { writeSecretFile } from './secret-file.js';

/** What `.frontline/stack.json` holds while a local stack runs. */
export interface LocalStackFile extends StackFile {
  workerUrls: string[];
  /** Processes of this stack by name (supervisor, postgres, redis, api, worker-1…). */
  pids: Record<string, number>;
  startedAt: string;
}

/** Written once everything is healthy, and again after a restart; mode 600: the URLs carry passwords. */
export function writeStackFile(path: string, contents: LocalStackFile): void {
  writeSecretFile(path, `${JSON.stringify(contents, null, 2)}\n`);
}

export function removeStackFile(path: string): void {
  rmSync(path, { force: true });
}
