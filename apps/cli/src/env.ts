/** The CLI's only environment access. An API key for scripts that cannot pass --api-key. */
export const envApiKey = (): string | undefined => process.env.FRONTLINE_API_KEY || undefined;

/** FRONTLINE_STACK_FILE names the local stack's file to use (empty: none), e.g. another checkout's stack. */
export const envStackFile = (): string | undefined => process.env.FRONTLINE_STACK_FILE;
