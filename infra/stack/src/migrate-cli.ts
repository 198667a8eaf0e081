// Apply the committed migrations to DATABASE_URL, in a process of its own: vitest's global setup
// cannot resolve workspace packages through the @frontline/source condition, a node child can.
import { migrate } from '@frontline/db';

const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) {
  console.error('DATABASE_URL is not set');
  process.exit(2);
}
await migrate(databaseUrl);
