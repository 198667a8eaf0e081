import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The monorepo root: this file lives at infra/stack/src/paths.ts, whatever the caller's cwd. */
export const projectRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..');

/** Project-local state that survives restarts (git-ignored). */
export const defaultStateDir = join(projectRoot, '.frontline');

/** The files of a stack's state folder (`.frontline/`, or a test's scratch folder). */
export function stackPaths(stateDir: string = defaultStateDir) {
  return {
    stateDir,
    /** URLs, keys and pids while the stack runs (mode 600; removed when it stops). */
    stackFile: join(stateDir, 'stack.json'),
    /** Pids of the children, so the next run can stop what a killed stack left behind. */
    ownershipFile: join(stateDir, 'processes.json'),
    adminKeyFile: join(stateDir, 'admin-key'),
    postgresDataDir: join(stateDir, 'postgres'),
    /** The superuser's password (the owner: migrations, admin key). */
    postgresPasswordFile: join(stateDir, 'postgres-password'),
    /** The app role's login password (the API and workers). */
    appPasswordFile: join(stateDir, 'app-password'),
    redisDataDir: join(stateDir, 'redis'),
  };
}
export type StackPaths = ReturnType<typeof stackPaths>;

/** The built dashboard the API serves at `/` (its DASHBOARD_DIR). */
export const dashboardDir = join(projectRoot, 'apps', 'web', 'dist');

export const apiEntry = join(projectRoot, 'apps', 'api', 'src', 'main.ts');
export const workerEntry = join(projectRoot, 'apps', 'worker', 'src', 'main.ts');
/** `pnpm stack`: what the CLI's `frontline up` starts. */
export const stackEntry = join(projectRoot, 'infra', 'stack', 'src', 'main.ts');
