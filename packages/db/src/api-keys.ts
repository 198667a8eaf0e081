import { createHash, randomBytes } from 'node:crypto';
import type { ApiKeyRole } from '@frontline/contracts';
import type pg from 'pg';
import type { ApiKeyRow } from './schema.js';

/** `fl_<id>_<secret>`: a recognisable prefix, a public id, and 192 random bits of secret. */
const keyPattern = /^fl_([0-9a-f]{16})_([A-Za-z0-9_-]{32})$/;

/** A key as its managers see it: the row without the secret's hash. */
export type ApiKeyInfo = Omit<ApiKeyRow, 'secretHash'>;

/**
 * A verified key as the database knows its caller: key management functions check this id and
 * secret hash themselves (migration 0004), so the app role cannot act as a key it does not hold.
 */
export interface VerifiedApiKey extends ApiKeyInfo {
  secretHash: string;
}

const hashSecret = (secret: string) => createHash('sha256').update(secret).digest('hex');

function newKey(): { id: string; secret: string } {
  return { id: randomBytes(8).toString('hex'), secret: randomBytes(24).toString('base64url') };
}

/**
 * Create a key as the table's owner (the local stack's first key, tests, benchmarks); the plain
 * token is returned once and never stored. The API creates keys with `createApiKeyAs`.
 */
export async function createApiKey(
  pool: pg.Pool,
  key: { tenantId: string; role: ApiKeyRole; name: string },
): Promise<ApiKeyInfo & { token: string }> {
  const { id, secret } = newKey();
  const { rows } = await pool.query<{ created_at: Date }>(
    `insert into api_keys (id, tenant_id, role, name, secret_hash) values ($1, $2, $3, $4, $5) returning created_at`,
    [id, key.tenantId, key.role, key.name, hashSecret(secret)],
  );
  return { id, ...key, createdAt: rows[0]!.created_at, revokedAt: null, token: `fl_${id}_${secret}` };
}

/** The key a bearer token names, if it is well-formed, known, unrevoked and its secret matches. */
export async function verifyApiKey(pool: pg.Pool, token: string): Promise<VerifiedApiKey | undefined> {
  const match = keyPattern.exec(token);
  if (!match) return undefined;
  const [, id, secret] = match as unknown as [string, string, string];
  const secretHash = hashSecret(secret);
  // The hash is compared in Postgres: the app role cannot read stored hashes (migration 0004).
  // Equal SHA-256 prefixes of a guess reveal nothing usable about the secret.
  const { rows } = await pool.query<Pick<ApiKeyRow, 'tenantId' | 'role' | 'name' | 'createdAt'>>(
    `select tenant_id as "tenantId", role, name, created_at as "createdAt"
     from frontline_verify_api_key($1, $2)`,
    [id, secretHash],
  );
  const row = rows[0];
  if (!row) return undefined;
  return { id, ...row, revokedAt: null, secretHash };
}

/** Postgres refused: the caller may not create this key (SQLSTATE insufficient_privilege). */
export const isKeyPermissionError = (error: unknown) => (error as { code?: string })?.code === '42501';

/** Create a key as `caller`: an operator for any tenant and role, an admin only below operator in its own tenant. */
export async function createApiKeyAs(
  pool: pg.Pool,
  caller: VerifiedApiKey,
  key: { tenantId: string; role: ApiKeyRole; name: string },
): Promise<ApiKeyInfo & { token: string }> {
  const { id, secret } = newKey();
  const { rows } = await pool.query<{ created_at: Date }>(
    'select frontline_create_api_key($1, $2, $3, $4, $5, $6, $7) as created_at',
    [caller.id, caller.secretHash, id, key.tenantId, key.role, key.name, hashSecret(secret)],
  );
  return { id, ...key, createdAt: rows[0]!.created_at, revokedAt: null, token: `fl_${id}_${secret}` };
}

/** The keys `caller` manages: every tenant's for an operator, its own tenant's for an admin. */
export async function listApiKeysAs(pool: pg.Pool, caller: VerifiedApiKey): Promise<ApiKeyInfo[]> {
  const { rows } = await pool.query<ApiKeyInfo>(
    `select id, tenant_id as "tenantId", role, name, created_at as "createdAt", revoked_at as "revokedAt"
     from frontline_list_api_keys($1, $2)`,
    [caller.id, caller.secretHash],
  );
  return rows;
}

/** Revoke a key `caller` manages; false if there is no such active key, or it is not the caller's to revoke. */
export async function revokeApiKeyAs(pool: pg.Pool, caller: VerifiedApiKey, id: string): Promise<boolean> {
  const { rows } = await pool.query<{ revoked: boolean }>(
    'select frontline_revoke_api_key($1, $2, $3) as revoked',
    [caller.id, caller.secretHash, id],
  );
  return rows[0]?.revoked === true;
}
