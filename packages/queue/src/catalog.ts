import { z } from 'zod';

/** The job catalog: one queue of simulation chunks. The database holds the work; a job only names it. */
export const chunkQueueName = 'frontline-chunks';

export const chunkJobSchema = z.object({
  sweepId: z.uuid(),
  chunkIndex: z.int().nonnegative(),
});
export type ChunkJob = z.infer<typeof chunkJobSchema>;

/** Deterministic job id: enqueuing the same chunk twice is a no-op in BullMQ. */
export function chunkJobId(job: ChunkJob): string {
  return `${job.sweepId}.${job.chunkIndex}`;
}

const classBase = { high: 1, normal: 1_000_001, low: 2_000_001 } as const;
const ordinalCap = 97_000;

/**
 * BullMQ priority (lower runs first). Priority classes run strictly in order; within a class a
 * chunk's priority grows with its ordinal in its sweep, so a small sweep submitted after a large one
 * interleaves with it instead of waiting for all of it (fair share by chunk ordinal). Beyond the
 * cap, chunks of a very large sweep run in submission order.
 */
export function chunkPriority(priority: 'high' | 'normal' | 'low', chunkIndex: number): number {
  return classBase[priority] + Math.min(chunkIndex, ordinalCap) * 10;
}

export const chunkJobOptions = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 1_000 },
  // Postgres is the record of what finished: Redis keeps no finished jobs.
  removeOnComplete: true,
  removeOnFail: { count: 1_000 },
} as const;
