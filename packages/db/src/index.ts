export {
  type ApiKeyInfo,
  createApiKey,
  createApiKeyAs,
  isKeyPermissionError,
  listApiKeysAs,
  revokeApiKeyAs,
  type VerifiedApiKey,
  verifyApiKey,
} from './api-keys.js';
export { type ChunkWork, completeChunk, failChunk, loadChunk, markSweepStarted } from './chunks.js';
export { appRole, assertUnprivilegedLogin, connectDatabase, type Database, inTransaction } from './client.js';
export { isConnectionError } from './connection-errors.js';
export { migrate, migrationsFolder } from './migrate.js';
export { insertOutcomes, type OutcomeRecord, outcomeRow } from './outcomes.js';
export {
  type ExportColumn,
  type ExportColumnKind,
  type ExportRow,
  outcomeExportColumnsFor,
  outcomeRowBatches,
  outcomesCsvStream,
  type PointGroup,
  type PointRange,
  type PointSummary,
  pointSummaries,
  type SurvivalEndpoint,
  type SweepPointAxes,
  type SweepScope,
  survivalCounts,
  survivalEndpoints,
  sweepPointAxes,
  type TimeCounts,
} from './results.js';
export * from './schema.js';
export {
  ActiveSweepCapError,
  type ChunkRef,
  type CreatedSweep,
  cancelSweep,
  createSweep,
  failSweep,
  getSweep,
  listSweeps,
  missingRanges,
  type NewSweep,
  type NewSweepPoint,
  type Priority,
  pendingChunks,
  type SweepProgress,
  sweepWorkerHosts,
} from './sweeps.js';
export { forTenant, sweepTenant } from './tenancy.js';
