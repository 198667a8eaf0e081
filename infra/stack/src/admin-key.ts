import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connectDatabase, createApiKey, verifyApiKey } from '@frontline/db';
import { adminKeyFile } from './paths.js';

/**
 * The local stack's operator API key (every tenant's keys, the queues, Bull Board): made and
 * printed once, at first start; afterwards read back
 * from `.frontline/admin-key` (mode 600) while the database still knows it (it may be revoked).
 */
export async function ensureAdminKey(databaseUrl: string, log: (line: string) => void): Promise<string> {
  const database = connectDatabase(databaseUrl, { max: 1, application: 'frontline-stack' });
  try {
    const saved = existsSync(adminKeyFile) ? readFileSync(adminKeyFile, 'utf8').trim() : '';
    // A key saved before operators existed is a tenant admin's: the stack then makes an operator key.
    if (saved && (await verifyApiKey(database.pool, saved))?.role === 'operator') return saved;
    const key = await createApiKey(database.pool, {
      tenantId: 'default',
      // The stack's first key runs the service: every tenant's keys, the queues, Bull Board.
      role: 'operator',
      name: 'local stack operator',
    });
    rmSync(adminKeyFile, { force: true }); // a fresh file gets mode 600
    writeFileSync(adminKeyFile, `${key.token}\n`, { mode: 0o600 });
    log(
      `operator API key (tenant "default"), shown this once and kept in .frontline/stack.json: ${key.token}`,
    );
    return key.token;
  } finally {
    await database.close();
  }
}
