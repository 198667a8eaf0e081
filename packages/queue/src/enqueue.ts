import type { Queue } from 'bullmq';
import { type ChunkJob, type ChunkRef, chunkJobId, chunkJobOptions, chunkPriority } from './catalog.js';

const batchSize = 500;

/**
 * Commands sent before waiting for their replies: ioredis writes each at once, so a batch costs
 * one round trip to Redis, and a sweep at the chunk limit (10,000) ten.
 */
const removalBatchSize = 1_000;

/** Enqueue chunks with deterministic ids (idempotent). */
export async function enqueueChunks(queue: Queue, chunks: readonly ChunkRef[]): Promise<void> {
  for (let i = 0; i < chunks.length; i += batchSize) {
    await queue.addBulk(
      chunks.slice(i, i + batchSize).map((c) => ({
        name: 'chunk',
        data: { sweepId: c.sweepId, chunkIndex: c.chunkIndex },
        opts: { ...chunkJobOptions, jobId: chunkJobId(c), priority: chunkPriority(c.priority, c.chunkIndex) },
      })),
    );
  }
}

/**
 * Remove the jobs of these chunks, `removalBatchSize` at a time without waiting between commands.
 * A job that is running (locked) is left alone: it finishes its chunk and stops there.
 */
async function removeJobs(queue: Queue, chunks: readonly ChunkJob[]): Promise<number> {
  let removed = 0;
  for (let i = 0; i < chunks.length; i += removalBatchSize) {
    const codes = await Promise.all(
      chunks.slice(i, i + removalBatchSize).map((c) => queue.remove(chunkJobId(c)).catch(() => 0)),
    );
    for (const code of codes) removed += code;
  }
  return removed;
}

/** Remove queued jobs of cancelled chunks, in ⌈chunks / 1,000⌉ round trips to Redis. */
export async function removeChunkJobs(queue: Queue, chunks: readonly ChunkJob[]): Promise<number> {
  return removeJobs(queue, chunks);
}

/** What a reconcile pass did: chunks re-enqueued, and the sweeps whose jobs could not be added. */
export interface QueueReconciliation {
  requeued: number;
  /** Per sweep, the error that stopped its re-enqueue; other sweeps went on regardless. */
  failures: { sweepId: string; chunks: ChunkRef[]; error: unknown }[];
}

/**
 * Re-enqueue every pending chunk whose job is missing from Redis (Redis lost its data, a job was
 * removed after failing, or the API died between commit and enqueue). Each sweep is re-enqueued on
 * its own, so one whose jobs cannot be added never stops the others' recovery.
 */
export async function reconcileQueue(
  queue: Queue,
  pending: readonly ChunkRef[],
): Promise<QueueReconciliation> {
  const missingBySweep = new Map<string, ChunkRef[]>();
  for (let i = 0; i < pending.length; i += batchSize) {
    const batch = pending.slice(i, i + batchSize);
    const states = await Promise.all(batch.map((c) => queue.getJobState(chunkJobId(c))));
    batch.forEach((c, j) => {
      const state = states[j];
      if (state !== 'unknown' && state !== 'completed' && state !== 'failed') return;
      const missing = missingBySweep.get(c.sweepId) ?? [];
      missing.push(c);
      missingBySweep.set(c.sweepId, missing);
    });
  }
  const result: QueueReconciliation = { requeued: 0, failures: [] };
  for (const [sweepId, missing] of missingBySweep) {
    try {
      // A failed or completed job with a pending chunk must be removed first, else its id blocks re-adding.
      await removeJobs(queue, missing);
      await enqueueChunks(queue, missing);
      result.requeued += missing.length;
    } catch (error) {
      result.failures.push({ sweepId, chunks: missing, error });
    }
  }
  return result;
}
