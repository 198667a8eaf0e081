import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * The role migration 0003 creates (@frontline/db's `appRole`), spelled here because vitest's global
 * setup loads this file and cannot resolve workspace packages from source.
 */
const appRole = 'frontline_app';

/**
 * Let the API and workers log in as the app role (created by the migrations, NOLOGIN there): give it
 * LOGIN and `password`, as the owner, after migrating. Returns the URL the apps get: the owner's URL
 * with the app role's name and password. Passwords stay out of migrations, and out of the server's
 * statement log: the role gets a SCRAM verifier computed here, never the password itself.
 */
export async function grantAppLogin(ownerUrl: string, password: string): Promise<string> {
  const client = new pg.Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    await client.query(
      `alter role ${client.escapeIdentifier(appRole)} login password ${client.escapeLiteral(scramVerifier(password))}`,
    );
  } finally {
    await client.end();
  }
  return appDatabaseUrl(ownerUrl, password);
}

/** `ownerUrl` with the app role's name and `password`. */
export function appDatabaseUrl(ownerUrl: string, password: string): string {
  const url = new URL(ownerUrl);
  url.username = appRole;
  url.password = encodeURIComponent(password);
  return url.toString();
}

/** A new random password (URL-safe, so it needs no escaping in a connection URL). */
export function newPassword(): string {
  return randomBytes(24).toString('base64url');
}

/**
 * The app role's password for test databases: derived from the owner's URL, so every test process
 * (global setup, harnesses, fault servers) sets and uses the same one without sharing a file.
 */
export function testAppPassword(ownerUrl: string): string {
  return createHmac('sha256', ownerUrl).update(`${appRole} login for tests`).digest('base64url');
}

/** Postgres's SCRAM-SHA-256 verifier (RFC 5803 form), what `\password` in psql sends. */
function scramVerifier(password: string, iterations = 4096): string {
  const salt = randomBytes(16);
  const salted = pbkdf2Sync(password.normalize('NFKC'), salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  const b64 = (bytes: Buffer) => bytes.toString('base64');
  return `SCRAM-SHA-256$${iterations}:${b64(salt)}$${b64(storedKey)}:${b64(serverKey)}`;
}
