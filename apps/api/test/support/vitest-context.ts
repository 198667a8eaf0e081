// What the integration project's global setup (infra/stack/test/global-setup.ts) provides.
declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    appDatabaseUrl: string;
    redisUrl: string;
  }
}

export {};
