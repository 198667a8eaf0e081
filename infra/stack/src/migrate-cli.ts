// Apply the committed migrations to DATABASE_URL (the owner's login), in a process of its own:
// vitest's global setup cannot resolve workspace packages through the @frontline/source condition,
// a node child can. With APP_DATABASE_URL set, then give the app role LOGIN and that URL's password
// (compose's migrate step does this).
import { appRole, migrate } from '@frontline/db';
import { grantAppLogin } from './app-role.js';
import { readMigrateEnv } from './env.js';

const { databaseUrl, appDatabaseUrl: appUrl } = readMigrateEnv();
if (!databaseUrl) {
  console.error('DATABASE_URL is not set');
  process.exit(2);
}
await migrate(databaseUrl);
if (appUrl) {
  const { username, password } = new URL(appUrl);
  if (decodeURIComponent(username) !== appRole) {
    console.error(`APP_DATABASE_URL must log in as ${appRole}, not ${username}`);
    process.exit(2);
  }
  await grantAppLogin(databaseUrl, decodeURIComponent(password));
}
