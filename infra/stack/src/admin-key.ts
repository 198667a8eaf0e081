import { chmodSync, existsSync, readFileSync } from 'node:fs';
import { connectDatabase, createApiKey, verifyApiKey } from '@frontline/db';
import { writeSecretFile } from './secret-file.js';

/**
 * The local stack's admin API key: made and printed once, at first start; afterwards read back
 * from `.frontline/admin-key` while the database still knows it (it may be revoked). The file is
 * kept when the stack stops, mode 600: it lives beside the Postgres superuser's password, which is
 * worth more and must outlive the stack, so deleting the key would protect nothing.
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
    if (saved && (await verifyApiKey(database.pool, saved))) return saved;
    const key = await createApiKey(database.pool, {
      tenantId: 'default',
      role: 'admin',
      name: 'local stack admin',
    });
    writeSecretFile(adminKeyFile, `${key.token}\n`);
    log(`admin API key (tenant "default"), shown this once and kept in .frontline/stack.json: ${key.token}`);
    return key.token;
  } finally {
    await database.close();
  }
}
