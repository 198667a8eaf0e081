/** The CLI's only environment access: an API key for scripts that cannot pass --api-key. */
export const envApiKey = (): string | undefined => process.env.FRONTLINE_API_KEY || undefined;
