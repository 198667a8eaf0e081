import { connectDatabase, type Database } from '@frontline/db';

interface ApiDatabaseSettings {
  lightPoolMax: number;
  heavyPoolMax: number;
  heavyStatementTimeoutMs: number;
  exportConcurrency: number;
  queryTimeoutMs: number;
}

interface ApiDatabases {
  light: Database;
  heavy: Database;
  exports: Database;
  close(): Promise<void>;
}

/**
 * The API's three pools: key checks and light reads never wait behind survival, points or exports
 * (capacity.ts). The first two bound every statement's wait for an answer (DB_QUERY_TIMEOUT_MS), so a
 * connection gone silent fails as a connection error and is discarded; exports stream for as long as
 * their reader reads, so their pool cannot: each export bounds its own waits (AppDeps.exportSilenceMs).
 */
export function connectApiDatabases(url: string, settings: ApiDatabaseSettings): ApiDatabases {
  const light = connectDatabase(url, {
    application: 'frontline-api',
    max: settings.lightPoolMax,
    queryTimeoutMs: settings.queryTimeoutMs,
  });
  const heavy = connectDatabase(url, {
    application: 'frontline-api-heavy',
    max: settings.heavyPoolMax,
    statementTimeoutMs: settings.heavyStatementTimeoutMs,
    queryTimeoutMs: settings.queryTimeoutMs,
  });
  const exports = connectDatabase(url, {
    application: 'frontline-api-export',
    max: settings.exportConcurrency,
  });
  return {
    light,
    heavy,
    exports,
    close: () => Promise.all([light.close(), heavy.close(), exports.close()]).then(() => {}),
  };
}
