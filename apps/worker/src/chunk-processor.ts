import {
  chunkRecording,
  completeChunk,
  failChunk,
  forTenant,
  isActiveSweepState,
  loadChunk,
  markSweepStarted,
  sweepTenant,
} from '@frontline/db';
import { type ChunkJob, type ChunkRef, type ChunkResult, chunkJobSchema } from '@frontline/queue';
import { isModelId, type ModelId } from '@frontline/sim';
import type { Job } from 'bullmq';
import type pg from 'pg';
import type { Logger } from 'pino';
import type { Counter, Histogram } from 'prom-client';
import { retryWhileUnreachable } from './db-retry.js';
import type { SimulationPool } from './pool.js';
import { chunkTask } from './simulate-task.js';

export interface ChunkProcessorDeps {
  pool: pg.Pool;
  simulations: SimulationPool;
  workerHost: string;
  chunkTimeoutMs: number;
  /** Enqueue the chunks a finished chunk gave rows to (the window's top-up). */
  enqueue: (chunks: readonly ChunkRef[]) => Promise<void>;
  logger: Logger;
  metrics: { simulated: Counter; rowsWritten: Counter; chunkSeconds: Histogram };
}

/**
 * One BullMQ job = one chunk, of one point or spanning several, run as one pool task. Postgres decides whether there is still work (a cancelled or failed
 * sweep, or a chunk already done, is skipped); the thread simulates and records the chunk, and its
 * outcomes and the "done" mark are written in one
 * transaction, so a retried or duplicated job changes nothing.
 */
export function createChunkProcessor(deps: ChunkProcessorDeps) {
  return async function processChunk(job: Job<ChunkJob, ChunkResult>): Promise<ChunkResult> {
    const { sweepId, chunkIndex } = chunkJobSchema.parse(job.data);
    const log = deps.logger.child({ sweepId, chunkIndex, jobId: job.id });
    const retry = <T>(work: () => Promise<T>) =>
      retryWhileUnreachable(work, {
        onRetry: (err, delayMs) => log.warn({ err, delayMs }, 'postgres unreachable; retrying'),
      });
    // Every read and write of the chunk runs as its sweep's tenant (row-level security).
    const tenantId = await retry(() => sweepTenant(deps.pool, sweepId));
    if (!tenantId) return { skipped: 'sweep not found' };
    const db = forTenant(deps.pool, tenantId);
    const chunk = await retry(() => loadChunk(db, sweepId, chunkIndex));
    if (!chunk) return { skipped: 'chunk not found' };
    if (chunk.status !== 'pending') return { skipped: `chunk ${chunk.status}` };
    if (!isActiveSweepState(chunk.sweepStatus)) return { skipped: `sweep ${chunk.sweepStatus}` };
    if (chunk.sweepStatus === 'queued') await retry(() => markSweepStarted(db, sweepId));

    const stopTimer = deps.metrics.chunkSeconds.startTimer();
    try {
      const timeLimit = AbortSignal.timeout(deps.chunkTimeoutMs);
      // The thread records the chunk too (grid, tallies, row columns): only that crosses back.
      const recorded = await deps.simulations
        .run(
          chunkTask(
            chunk.cohortSeed,
            chunk.segments.map((s) => ({
              modelId: chunkModel(s.point.modelId),
              base: s.point.base,
              changes: s.point.changes,
              patientStart: s.patientStart,
              patientEnd: s.patientEnd,
            })),
            chunkRecording(sweepId, chunk),
          ),
          { signal: timeLimit },
        )
        .catch((error: unknown) => {
          // Piscina terminates the thread and says only "aborted": name the limit in the sweep's reason.
          if (!timeLimit.aborted) throw error;
          throw new Error(
            `simulation exceeded the chunk time limit (CHUNK_TIMEOUT_MS=${deps.chunkTimeoutMs})`,
            {
              cause: error,
            },
          );
        });
      const { inserted, next } = await retry(() =>
        completeChunk(db, { sweepId, chunkIndex, workerHost: deps.workerHost }, recorded),
      );
      // Committed: a failure here leaves the next chunk pending without a job, which the reconciler heals.
      await deps.enqueue(next).catch((err: unknown) => log.warn({ err }, 'could not enqueue the next chunk'));
      const { simulated } = recorded;
      deps.metrics.simulated.inc(simulated);
      deps.metrics.rowsWritten.inc(inserted);
      log.debug({ simulated, inserted, segments: chunk.segments.length }, 'chunk done');
      return { simulated, inserted };
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      const attempts = job.opts.attempts ?? 1;
      log.warn({ err: error, attempt: job.attemptsMade + 1, attempts }, 'chunk failed');
      if (job.attemptsMade + 1 >= attempts) {
        await retry(() => failChunk(db, { sweepId, chunkIndex, workerHost: deps.workerHost }, reason));
      }
      throw error;
    } finally {
      stopTimer();
    }
  };
}

/** A point's stored model id; one this worker does not know fails the chunk with the reason. */
function chunkModel(modelId: string): ModelId {
  if (!isModelId(modelId))
    throw new Error(`unknown model ${modelId}: this worker runs lf-tid@1 and lf-tid@2`);
  return modelId;
}
