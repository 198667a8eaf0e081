import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { dashboardDir, projectRoot } from './paths.js';

const webRoot = join(projectRoot, 'apps', 'web');

/** Build the dashboard (apps/web → dist, served by the API at /) if it has not been built yet. */
export async function ensureDashboardBuilt(log: (line: string) => void): Promise<void> {
  if (existsSync(join(dashboardDir, 'index.html'))) return;
  log('building the dashboard (apps/web, once)…');
  const vite = join(webRoot, 'node_modules', 'vite', 'bin', 'vite.js');
  await promisify(execFile)(process.execPath, [vite, 'build', '--logLevel', 'warn'], { cwd: webRoot });
}
