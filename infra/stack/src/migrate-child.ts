import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { sourceNodeFlags } from './apps.js';
import { childEnv } from './env.js';
import { projectRoot } from './paths.js';

const execFileAsync = promisify(execFile);
const migrateCli = join(projectRoot, 'infra', 'stack', 'src', 'migrate-cli.ts');

/**
 * Run @frontline/db's migrate() in a child node process, then (with `appDatabaseUrl`) give the app
 * role its login. URLs go by env, not argv: they carry passwords.
 */
export async function migrateInChildProcess(databaseUrl: string, appDatabaseUrl?: string): Promise<void> {
  try {
    await execFileAsync(process.execPath, [...sourceNodeFlags, migrateCli], {
      cwd: projectRoot,
      env: childEnv({ DATABASE_URL: databaseUrl, APP_DATABASE_URL: appDatabaseUrl ?? '' }),
    });
  } catch (error) {
    const { stderr } = error as { stderr?: string };
    throw new Error(`migrations failed: ${stderr || (error as Error).message}`);
  }
}
