import { fileURLToPath } from 'node:url';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate as drizzleMigrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';

/** The committed migrations (drizzle-kit generate), shipped beside src/ and dist/. */
export const migrationsFolder = fileURLToPath(new URL('../drizzle', import.meta.url));

/** Apply every committed migration not yet applied. Idempotent; safe to run from several processes. */
export async function migrate(databaseUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    // Serialise concurrent migrators (API and workers may start together).
    await client.query('select pg_advisory_lock(727274)');
    await drizzleMigrate(drizzle(client), { migrationsFolder });
  } finally {
    await client.query('select pg_advisory_unlock(727274)').catch(() => {});
    await client.end();
  }
}
