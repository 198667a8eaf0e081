import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** The path of `command` on PATH, or undefined. */
export function findExecutable(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, command), constants.X_OK);
      return join(dir, command);
    } catch {}
  }
  return undefined;
}
