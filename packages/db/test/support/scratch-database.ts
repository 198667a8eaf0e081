import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';

// What the integration project's global setup (infra/stack/test/global-setup.ts) provides.
declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    appDatabaseUrl: string;
  }
}

/** A throwaway database on the test server: its URL, a connected client, and how to drop it. */
export async function scratchDatabase() {
  const database = `scratch_${randomUUID().replaceAll('-', '')}`;
  const admin = new pg.Client({ connectionString: inject('databaseUrl') });
  await admin.connect();
  await admin.query(`create database ${database}`);
  const url = new URL(inject('databaseUrl'));
  url.pathname = `/${database}`;
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  return {
    url: url.toString(),
    client,
    async drop() {
      await client.end();
      await admin.query(`drop database if exists ${database}`);
      await admin.end();
    },
  };
}
