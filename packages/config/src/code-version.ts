import { execFileSync } from 'node:child_process';

let cached: string | undefined;

/** The code version recorded in every sweep's provenance: the configured one, else the git commit. */
export function resolveCodeVersion(configured: string | undefined): string {
  if (configured) return configured;
  if (cached) return cached;
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
