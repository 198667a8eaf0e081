// The vocabularies the data layer's callers also need (their home is @frontline/contracts).
export { isActiveSweepState, type SurvivalEndpoint, survivalEndpoints } from '@frontline/contracts';
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
export {
  chunkCount,
  chunkWork,
  missingRanges,
  type PatientRange,
  type PointWork,
  planWork,
  segmentsOf,
  type WorkPlan,
} from './chunk-plan.js';
export {
  type ChunkSegment,
  type ChunkWork,
  chunkRecording,
  completeChunk,
  failChunk,
  loadChunk,
  markSweepStarted,
  pointParamsOf,
  type SegmentPoint,
} from './chunks.js';
export { appRole, assertUnprivilegedLogin, connectDatabase, type Database, inTransaction } from './client.js';
export { isConnectionError } from './connection-errors.js';
export { migrate, migrationsFolder } from './migrate.js';
export {
  bestResponseCode,
  type OutcomeColumn,
  type OutcomeRecord,
  outcomeColumns,
} from './outcome-columns.js';
export { outcomeRow } from './outcomes.js';
export {
  claimPlacement,
  type Placement,
  placementOf,
  placeNextPoints,
  placingSweeps,
} from './point-placement.js';
export {
  type ExportColumn,
  type ExportColumnKind,
  type ExportOptions,
  type ExportRow,
  outcomeExportColumnsFor,
  outcomeRowBatches,
  outcomesCsvStream,
} from './results/outcome-export.js';
export {
  type PointSummary,
  pointSummaries,
  type SweepPointAxes,
  sweepPointAxes,
} from './results/point-summaries.js';
export {
  type PackedSurvivalCounts,
  type PointGroup,
  packedSurvivalCounts,
  survivalCounts,
  survivalCountsByPoint,
  survivalCountsOf,
  type TimeCounts,
} from './results/survival-counts.js';
export type { PointRange, SweepScope } from './results/sweep-scope.js';
export * from './schema.js';
export {
  type DeletedSweepRows,
  type DeleteSweepOptions,
  type DeleteSweepResult,
  deleteSweep,
} from './sweep-deletion.js';
export {
  ActiveSweepCapError,
  type ChunkRef,
  type CreatedSweep,
  cancelPendingChunksSql,
  cancelSweep,
  createSweep,
  failSweep,
  getSweep,
  listSweeps,
  type NewSweep,
  type NewSweepPoint,
  type PointBatches,
  pendingChunks,
  previewSweep,
  type SweepPreview,
  type SweepProgress,
  sweepWorkerHosts,
} from './sweeps.js';
export { leaderFractionBin } from './tallies/chunk-tally.js';
export { packStepCounts, unpackHistogram, unpackStepCounts } from './tallies/packed-counts.js';
export { type ChunkRecording, type RecordedChunk, recordChunk } from './tallies/record-chunk.js';
export { donorQuery } from './tallies/reuse.js';
export { gridIndex, onGrid, stepDaysOf } from './tallies/time-grid.js';
export { forTenant, sweepTenant } from './tenancy.js';
export {
  recentHeartbeats,
  recordHeartbeat,
  removeHeartbeat,
  type WorkerHeartbeat,
} from './worker-heartbeats.js';
