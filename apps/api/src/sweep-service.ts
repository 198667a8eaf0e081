import { codeVersion } from '@frontline/config';
import { apiError, expandSweep, type SweepLimits, type SweepSpec } from '@frontline/contracts';
import { cancelSweep, createSweep, pendingChunks } from '@frontline/db';
import { enqueueChunks, reconcileQueue, removeChunkJobs } from '@frontline/queue';
import { modelId } from '@frontline/sim';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type pg from 'pg';

/** Default patients per chunk: ~0.2–2 s of CPU at the kernel's speed, small enough to spread. */
export const defaultChunkSize = 1_000;

export interface SweepServiceDeps {
  pool: pg.Pool;
  queue: Queue;
  redis: Redis;
  limits?: SweepLimits;
}

export function createSweepService({ pool, queue, redis }: SweepServiceDeps) {
  function requireRedis() {
    if (redis.status !== 'ready')
      throw apiError('unavailable', 'the queue (Redis) is unreachable; try again shortly');
  }

  return {
    /** Expand, persist in one transaction, then enqueue. A crash between the two is healed by the reconciler. */
    async submit(spec: SweepSpec, warnings: string[]) {
      requireRedis();
      const expansion = expandSweep(spec);
      const created = await createSweep(pool, {
        name: spec.name,
        priority: spec.priority ?? 'normal',
        modelId,
        codeVersion: codeVersion(),
        spec,
        axes: expansion.axes,
        referenceArm: spec.referenceArm ?? null,
        cohortSeed: spec.cohort.seed,
        patients: spec.cohort.patients,
        chunkSize: spec.cohort.chunkSize ?? defaultChunkSize,
        points: expansion.points,
      });
      await enqueueChunks(queue, created.chunks);
      const { chunks: _chunks, ...summary } = created;
      return { ...summary, warnings: [...warnings, ...expansion.warnings] };
    },

    async cancel(id: string) {
      const result = await cancelSweep(pool, id);
      if (!result.found) throw apiError('not_found', `no sweep ${id}`);
      if (result.cancelled && redis.status === 'ready') await removeChunkJobs(queue, result.chunks);
      return result.cancelled;
    },

    /** Re-enqueue pending chunks whose jobs Redis no longer holds. */
    async reconcile(): Promise<number> {
      if (redis.status !== 'ready') return 0;
      return reconcileQueue(queue, await pendingChunks(pool));
    },
  };
}
export type SweepService = ReturnType<typeof createSweepService>;
