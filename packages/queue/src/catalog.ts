import { type Priority, priorities } from '@frontline/contracts';
import { z } from 'zod';

/** The job catalog: one queue of simulation chunks. The database holds the work; a job only names it. */
export const chunkQueueName = 'frontline-chunks';

export const chunkJobSchema = z.object({
  sweepId: z.uuid(),
  chunkIndex: z.int().nonnegative(),
});
export type ChunkJob = z.infer<typeof chunkJobSchema>;

/** A chunk as the database plans it and the queue orders it: the job's payload plus its sweep's priority. */
export interface ChunkRef extends ChunkJob {
  priority: Priority;
}

/**
 * What a chunk job returns (BullMQ stores it as the job's `returnvalue`, and the queue view reads
 * `simulated` back from the events stream): either the chunk ran, or why it was skipped.
 */
export const chunkResultSchema = z.union([
  z.object({ simulated: z.int().nonnegative(), inserted: z.int().nonnegative() }),
  z.object({ skipped: z.string() }),
]);
export type ChunkResult = z.infer<typeof chunkResultSchema>;

/** Deterministic job id: enqueuing the same chunk twice is a no-op in BullMQ. */
export function chunkJobId(job: ChunkJob): string {
  return `${job.sweepId}.${job.chunkIndex}`;
}

/** BullMQ's highest priority (2²¹ − 1); it rejects a job with a larger one. */
export const maxBullmqPriority = 2_097_151;

/** The priority classes, highest first: the vocabulary's priorities. */
export const priorityClasses = priorities;
export type PriorityClass = Priority;

/**
 * BullMQ's range 1..2,097,151 split into three equal bands, one per class (0 would mean "no
 * priority", which BullMQ runs before every prioritized job).
 */
export const priorityBandWidth = Math.floor(maxBullmqPriority / priorityClasses.length); // 699,050

/**
 * Chunk ordinals past this share the band's last priority and run in submission order (BullMQ is
 * FIFO within one priority). It is the band's width, so every chunk index maps inside the class's
 * band; it is above the chunk limit of a sweep (SweepLimits.maxChunksPerSweep, 500,000 by
 * default), so within the limit every chunk keeps its own ordinal and sweeps interleave exactly.
 */
export const priorityOrdinalCap = priorityBandWidth - 1;

/**
 * BullMQ priority (lower runs first). Priority classes run strictly in order; within a class a
 * chunk's priority grows with its ordinal in its sweep, so a small sweep submitted after a large one
 * interleaves with it instead of waiting for all of it (fair share by chunk ordinal).
 */
export function chunkPriority(priority: PriorityClass, chunkIndex: number): number {
  const band = priorityClasses.indexOf(priority);
  // A class the catalog does not know (a row written by other code) must fail loudly, never NaN.
  if (band < 0) throw new RangeError(`unknown priority class ${JSON.stringify(priority)}`);
  if (!Number.isInteger(chunkIndex) || chunkIndex < 0)
    throw new RangeError(`chunk index must be a non-negative integer, got ${chunkIndex}`);
  return 1 + band * priorityBandWidth + Math.min(chunkIndex, priorityOrdinalCap);
}

export const chunkJobOptions = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 1_000 },
  // Postgres is the record of what finished: Redis keeps no finished jobs.
  removeOnComplete: true,
  removeOnFail: { count: 1_000 },
} as const;
