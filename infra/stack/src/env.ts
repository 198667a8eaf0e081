/** The only place the stack reads its environment. */
export interface StackEnv {
  /** Use this Postgres instead of starting one. */
  databaseUrl: string | undefined;
  /** Use this Redis instead of starting one. */
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
  const { DATABASE_URL, REDIS_URL, API_PORT: _apiPort, WORKER_PORT: _workerPort, ...inherited } = env;
  return {
    databaseUrl: DATABASE_URL || undefined,
    redisUrl: REDIS_URL || undefined,
    apiPort,
    workerThreads: env.WORKER_THREADS || undefined,
    inherited,
  };
}
