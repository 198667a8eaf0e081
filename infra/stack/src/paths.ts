import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The monorepo root: this file lives at infra/stack/src/paths.ts, whatever the caller's cwd. */
export const projectRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..');

/** Project-local state that survives restarts (git-ignored). */
export const stateDir = join(projectRoot, '.frontline');

export const stackFile = join(stateDir, 'stack.json');
export const adminKeyFile = join(stateDir, 'admin-key');
export const postgresDataDir = join(stateDir, 'postgres');
export const postgresPasswordFile = join(stateDir, 'postgres-password');
export const redisDataDir = join(stateDir, 'redis');

export const apiEntry = join(projectRoot, 'apps', 'api', 'src', 'main.ts');
export const workerEntry = join(projectRoot, 'apps', 'worker', 'src', 'main.ts');
