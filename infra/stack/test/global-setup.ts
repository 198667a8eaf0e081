// Global setup of the vitest `integration` project: real Postgres and Redis for every *.int.test.ts.
import type {} from 'vitest';
import type { TestProject } from 'vitest/node';
import { appDatabaseUrl, testAppPassword } from '../src/app-role.js';
import { readStackEnv } from '../src/env.js';
import { migrateInChildProcess } from '../src/migrate-child.js';
import { startThrowawayServers } from '../src/test-servers.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A migrated `frontline` database, as its owner (migrations, assertions). */
    databaseUrl: string;
    /** The same database as the app role (frontline_app): what the API and workers log in as. */
    appDatabaseUrl: string;
    /** A Redis with noeviction + AOF, with its password. */
    redisUrl: string;
  }
}

const log = (line: string) => console.log(`[test-stack] ${line}`);

/**
 * With DATABASE_URL / REDIS_URL set (and APP_DATABASE_URL, else the app role gets a password derived
 * from DATABASE_URL), tests use those servers and nothing is started. Otherwise a
 * throwaway Postgres (temp data, free port) and redis-server start here, and stop at teardown.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const env = readStackEnv();
  const servers =
    env.databaseUrl === undefined || env.redisUrl === undefined
      ? await startThrowawayServers(log)
      : undefined;
  // Start both even when only one is given: starting them is cheap, and a half-configured run is rare.
  const databaseUrl = env.databaseUrl ?? servers?.postgres.url;
  const redisUrl = env.redisUrl ?? servers?.redis.url;
  if (databaseUrl === undefined || redisUrl === undefined) throw new Error('unreachable: no test servers');
  const appUrl = env.appDatabaseUrl ?? appDatabaseUrl(databaseUrl, testAppPassword(databaseUrl));
  try {
    await migrateInChildProcess(databaseUrl, appUrl);
  } catch (error) {
    await servers?.stop();
    throw error;
  }
  project.provide('databaseUrl', databaseUrl);
  project.provide('appDatabaseUrl', appUrl);
  project.provide('redisUrl', redisUrl);
  return async () => {
    await servers?.stop();
  };
}
