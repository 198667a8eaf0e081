import type { Queue } from 'bullmq';
import { type ChunkJob, chunkJobId, chunkJobOptions, chunkPriority } from './catalog.js';

interface ChunkRef extends ChunkJob {
  priority: 'high' | 'normal' | 'low';
}

const batchSize = 500;

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

/** Remove queued jobs of cancelled chunks; a job already running finishes its chunk and stops there. */
export async function removeChunkJobs(queue: Queue, chunks: readonly ChunkJob[]): Promise<number> {
  let removed = 0;
  for (const chunk of chunks) {
    removed += await queue.remove(chunkJobId(chunk));
  }
  return removed;
}

/**
 * Re-enqueue every pending chunk whose job is missing from Redis (Redis lost its data, a job was
 * removed after failing, or the API died between commit and enqueue). Returns how many were added.
 */
export async function reconcileQueue(queue: Queue, pending: readonly ChunkRef[]): Promise<number> {
  const missing: ChunkRef[] = [];
  for (let i = 0; i < pending.length; i += batchSize) {
    const batch = pending.slice(i, i + batchSize);
    const states = await Promise.all(batch.map((c) => queue.getJobState(chunkJobId(c))));
    batch.forEach((c, j) => {
      const state = states[j];
      if (state === 'unknown' || state === 'completed' || state === 'failed') missing.push(c);
    });
  }
  // A failed or completed job with a pending chunk must be removed first, else its id blocks re-adding.
  for (const c of missing) await queue.remove(chunkJobId(c)).catch(() => 0);
  await enqueueChunks(queue, missing);
  return missing.length;
}
