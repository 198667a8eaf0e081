/** The only place the stack reads its environment. */
export interface StackEnv {
  /** Use this Postgres instead of starting one; the owner's login (migrations, admin key). */
  databaseUrl: string | undefined;
  /**
   * The app role's login for the apps. With `databaseUrl` the stack sets this password on the role;
   * alone (a worker machine without the owner's password) the stack neither migrates nor makes keys.
   */
  appDatabaseUrl: string | undefined;
  /** Use this Redis instead of starting one (with its password: redis://:<password>@host:port). */
  redisUrl: string | undefined;
  /** A fixed API port (must be free); otherwise the first free one from 3000. */
  apiPort: number | undefined;
  /** Passed to workers (their piscina pool size) when set. */
  workerThreads: string | undefined;
  /** Everything else, inherited by the children. */
  inherited: NodeJS.ProcessEnv;
}

export function readStackEnv(env: NodeJS.ProcessEnv = process.env): StackEnv {
  const apiPort = env.API_PORT ? Number(env.API_PORT) : undefined;
  if (apiPort !== undefined && !(Number.isInteger(apiPort) && apiPort > 0 && apiPort < 65_536)) {
    throw new Error(`API_PORT must be a port number, got ${JSON.stringify(env.API_PORT)}`);
  }
  const {
    DATABASE_URL,
    APP_DATABASE_URL,
    REDIS_URL,
    API_PORT: _apiPort,
    WORKER_PORT: _workerPort,
    ...inherited
  } = env;
  return {
    databaseUrl: DATABASE_URL || undefined,
    appDatabaseUrl: APP_DATABASE_URL || undefined,
    redisUrl: REDIS_URL || undefined,
    apiPort,
    workerThreads: env.WORKER_THREADS || undefined,
    inherited,
  };
}

/** The environment a child process (initdb, postgres, apt-get, the CLI, migrations) inherits, plus `extra`. */
export function childEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { ...process.env, ...extra };
}

/** The directories searched for system programs (PATH). */
export const searchPath = (): string => process.env.PATH ?? '';

/** NO_COLOR (no-color.org) turns off the coloured `[name]` prefixes. */
export const noColor = (): boolean => 'NO_COLOR' in process.env;

/** Sets LOG_LEVEL for the apps the stack starts (they inherit it), unless it is set already. */
export function defaultAppLogLevel(level: string): void {
  process.env.LOG_LEVEL ??= level;
}

/** migrate-cli's environment: the owner's login, and optionally the app role's to enable. */
export function readMigrateEnv(env: NodeJS.ProcessEnv = process.env) {
  return { databaseUrl: env.DATABASE_URL || undefined, appDatabaseUrl: env.APP_DATABASE_URL || undefined };
}
