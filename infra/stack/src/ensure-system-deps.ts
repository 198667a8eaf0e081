// Run before the test suite (root `pnpm test`): installs the system programs the tests need where
// they are missing, so a fresh Debian machine needs nothing installed by hand.
import {
  chromium,
  ensureSystemPrograms,
  MissingSystemProgramError,
  munge,
  pgbouncer,
  redisServer,
  shellcheck,
  slurm,
} from './system-packages.js';

const log = (line: string) => console.log(`[system-deps] ${line}`);

try {
  ensureSystemPrograms([redisServer, pgbouncer, chromium, slurm, munge, shellcheck], log);
} catch (error) {
  if (!(error instanceof MissingSystemProgramError)) throw error;
  console.error(`[system-deps] ${error.message}`);
  process.exit(1);
}
