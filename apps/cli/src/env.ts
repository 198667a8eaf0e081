/** The CLI's only environment access. */

/** FRONTLINE_API: the API base URL, for scripts and shells that cannot pass --api. */
export const envApiUrl = (): string | undefined => process.env.FRONTLINE_API || undefined;

/** FRONTLINE_KEY (FRONTLINE_API_KEY, its older name, still works): an API key for scripts. */
export const envApiKey = (): string | undefined =>
  process.env.FRONTLINE_KEY || process.env.FRONTLINE_API_KEY || undefined;

/** FRONTLINE_STACK_FILE names the local stack's file to use (empty: none), e.g. another checkout's stack. */
export const envStackFile = (): string | undefined => process.env.FRONTLINE_STACK_FILE;

/**
 * The directory the user ran `frontline` from: the working directory, except under `pnpm frontline`
 * (run from the repository root whatever the caller's folder), where pnpm passes it as INIT_CWD.
 * Only trusted for that script: INIT_CWD is inherited by every process an npm script starts.
 */
export const callerDirectory = (): string =>
  (process.env.npm_lifecycle_event === 'frontline' && process.env.INIT_CWD) || process.cwd();
