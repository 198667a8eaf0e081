import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

/** Write `contents` to a fresh file of mode 600 (an existing file would keep its own mode). */
export function writeSecretFile(path: string, contents: string): void {
  rmSync(path, { force: true });
  writeFileSync(path, contents, { mode: 0o600 });
}

/** A secret kept in `path` (mode 600, tightened if an older run left it looser), made by `create` when missing. */
export function readOrCreateSecret(path: string, create: () => string): string {
  if (existsSync(path)) {
    chmodSync(path, 0o600);
    const saved = readFileSync(path, 'utf8').trim();
    if (saved) return saved;
  }
  const secret = create();
  writeSecretFile(path, `${secret}\n`);
  return secret;
}
