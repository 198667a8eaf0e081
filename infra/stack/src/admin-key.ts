import { chmodSync, existsSync, readFileSync } from 'node:fs';
import { connectDatabase, createApiKey, verifyApiKey } from '@frontline/db';
import { writeSecretFile } from './secret-file.js';

/**
 * The local stack's operator API key (every tenant's keys, the queues, Bull Board): made and
 * printed once, at first start; afterwards read back from `.frontline/admin-key` while the
 * database still knows it (it may be revoked). The file is kept when the stack stops, mode 600:
 * it lives beside the Postgres superuser's password, which is worth more and must outlive the
 * stack, so deleting the key would protect nothing.
 */
export async function ensureAdminKey(
  ownerUrl: string,
  adminKeyFile: string,
  log: (line: string) => void,
): Promise<string> {
  const database = connectDatabase(ownerUrl, { max: 1, application: 'frontline-stack' });
  try {
    if (existsSync(adminKeyFile)) chmodSync(adminKeyFile, 0o600); // older runs may have left it looser
    const saved = existsSync(adminKeyFile) ? readFileSync(adminKeyFile, 'utf8').trim() : '';
    // A key saved before operators existed is a tenant admin's: the stack then makes an operator key.
    if (saved && (await verifyApiKey(database.pool, saved))?.role === 'operator') return saved;
    const key = await createApiKey(database.pool, {
      tenantId: 'default',
      // The stack's first key runs the service: every tenant's keys, the queues, Bull Board.
      role: 'operator',
      name: 'local stack operator',
    });
    writeSecretFile(adminKeyFile, `${key.token}\n`);
    log(
      `operator API key (tenant "default"), shown this once and kept in .frontline/stack.json: ${key.token}`,
    );
    return key.token;
  } finally {
    await database.close();
  }
}
