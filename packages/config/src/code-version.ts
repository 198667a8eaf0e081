import { execFileSync } from 'node:child_process';

let cached: string | undefined;

/** The code version recorded in every sweep's provenance: FRONTLINE_CODE_VERSION, else the git commit. */
export function codeVersion(): string {
  if (cached) return cached;
  const fromEnv = process.env.FRONTLINE_CODE_VERSION;
  if (fromEnv) {
    cached = fromEnv;
    return cached;
  }
  try {
    const sha = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    cached = `git:${sha.toString().trim()}`;
  } catch {
    cached = 'unknown';
  }
  return cached;
}
