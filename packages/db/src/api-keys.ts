import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type pg from 'pg';
import type { ApiKeyRole } from './schema.js';

/** `fl_<id>_<secret>`: a recognisable prefix, a public id, and 192 random bits of secret. */
const keyPattern = /^fl_([0-9a-f]{16})_([A-Za-z0-9_-]{32})$/;

export interface ApiKeyInfo {
  id: string;
  tenantId: string;
  role: ApiKeyRole;
  name: string;
  createdAt: Date;
  revokedAt: Date | null;
}

const hashSecret = (secret: string) => createHash('sha256').update(secret).digest();

/** Create a key; the plain token is returned once and never stored. */
export async function createApiKey(
  pool: pg.Pool,
  key: { tenantId: string; role: ApiKeyRole; name: string },
): Promise<ApiKeyInfo & { token: string }> {
  const id = randomBytes(8).toString('hex');
  const secret = randomBytes(24).toString('base64url');
  const { rows } = await pool.query<{ created_at: Date }>(
    `insert into api_keys (id, tenant_id, role, name, secret_hash) values ($1, $2, $3, $4, $5) returning created_at`,
    [id, key.tenantId, key.role, key.name, hashSecret(secret).toString('hex')],
  );
  return { id, ...key, createdAt: rows[0]!.created_at, revokedAt: null, token: `fl_${id}_${secret}` };
}

/** The key a bearer token names, if it is well-formed, known, unrevoked and its secret matches. */
export async function verifyApiKey(pool: pg.Pool, token: string): Promise<ApiKeyInfo | undefined> {
  const match = keyPattern.exec(token);
  if (!match) return undefined;
  const [, id, secret] = match as unknown as [string, string, string];
  const { rows } = await pool.query<{
    tenant_id: string;
    role: ApiKeyRole;
    name: string;
    secret_hash: string;
    created_at: Date;
    revoked_at: Date | null;
  }>('select tenant_id, role, name, secret_hash, created_at, revoked_at from api_keys where id = $1', [id]);
  const row = rows[0];
  // Compare in constant time (hash against hash, equal lengths) so timing reveals nothing of the secret.
  const expected = row ? Buffer.from(row.secret_hash, 'hex') : Buffer.alloc(32);
  const matches = timingSafeEqual(hashSecret(secret), expected);
  if (!row || !matches || row.revoked_at) return undefined;
  return {
    id,
    tenantId: row.tenant_id,
    role: row.role,
    name: row.name,
    createdAt: row.created_at,
    revokedAt: null,
  };
}

export async function listApiKeys(pool: pg.Pool): Promise<ApiKeyInfo[]> {
  const { rows } = await pool.query(
    'select id, tenant_id, role, name, created_at, revoked_at from api_keys order by created_at, id',
  );
  return rows.map((r) => ({
    id: r.id,
    tenantId: r.tenant_id,
    role: r.role,
    name: r.name,
    createdAt: r.created_at,
    revokedAt: r.revoked_at,
  }));
}

/** Revoke a key; true if it existed and was active. */
export async function revokeApiKey(pool: pg.Pool, id: string): Promise<boolean> {
  const result = await pool.query(
    'update api_keys set revoked_at = now() where id = $1 and revoked_at is null',
    [id],
  );
  return (result.rowCount ?? 0) > 0;
}
