export { appDatabaseUrl, grantAppLogin, newPassword, testAppPassword } from './app-role.js';
export { type AppSpec, sourceNodeFlags, startApp } from './apps.js';
export { type DemoOptions, runDemo } from './demo.js';
export { apiEntry, dashboardDir, projectRoot, stackEntry, stackPaths, workerEntry } from './paths.js';
export { type PgbouncerHandle, type PgbouncerOptions, startPgbouncer } from './pgbouncer.js';
export {
  type FreePortOptions,
  findFreePort,
  isPortFree,
  type PortHook,
  randomHighPort,
  startOnFreePort,
} from './ports.js';
export { type PostgresHandle, type PostgresOptions, startPostgres } from './postgres.js';
export { type PostgresBinaries, postgresBinaries } from './postgres-binaries.js';
export { ensureReachable, postgresServerUser, type UnixIds } from './postgres-user.js';
export { pinProcessTree, processTreeCpuSeconds, threadCpuSeconds, threadsCpuSeconds } from './process-cpu.js';
export { type ExitStatus, ManagedProcess } from './process-group.js';
export { type RedisHandle, type RedisOptions, startRedis } from './redis.js';
export { type RedisReply, redisCommand } from './redis-command.js';
export { type PreferredPorts, runStack, type StackOptions, type StackUrls } from './stack.js';
export type { LocalStackFile } from './stack-file.js';
export {
  chromium,
  ensureSystemPrograms,
  findExecutable,
  MissingSystemProgramError,
  redisServer,
  type SystemProgram,
} from './system-packages.js';
export { makeScratchDir, startThrowawayServers, type ThrowawayServers } from './test-servers.js';
