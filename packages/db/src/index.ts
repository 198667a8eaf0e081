export { type ChunkWork, completeChunk, failChunk, loadChunk, markSweepStarted } from './chunks.js';
export { connectDatabase, type Database, type Db, inTransaction } from './client.js';
export { migrate, migrationsFolder } from './migrate.js';
export { insertOutcomes, type OutcomeRecord, outcomeRow } from './outcomes.js';
export * from './schema.js';
export {
  type ChunkRef,
  type CreatedSweep,
  cancelSweep,
  createSweep,
  getSweep,
  listSweeps,
  missingRanges,
  type NewSweep,
  type NewSweepPoint,
  type Priority,
  pendingChunks,
  type SweepProgress,
} from './sweeps.js';
