import { codeVersion } from '@frontline/config';
import {
  apiError,
  defaultChunkSize,
  expandSweep,
  type SweepLimits,
  type SweepSpec,
} from '@frontline/contracts';
import { cancelSweep, createSweep, pendingChunks } from '@frontline/db';
import { enqueueChunks, reconcileQueue, removeChunkJobs } from '@frontline/queue';
import { modelId } from '@frontline/sim';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type pg from 'pg';

/** Queued or running sweeps one tenant may have at once (a soft cap: checked before the write). */
export const defaultMaxActiveSweeps = 20;

export interface SweepServiceDeps {
  pool: pg.Pool;
  queue: Queue;
  redis: Redis;
  limits?: SweepLimits;
  maxActiveSweeps?: number;
}

/** Tenant-scoped data access (row-level security) for one request. */
export interface TenantScope {
  tenantId: string;
  db: pg.Pool;
}

export function createSweepService({
  pool,
  queue,
  redis,
  maxActiveSweeps = defaultMaxActiveSweeps,
}: SweepServiceDeps) {
  function requireRedis() {
    if (redis.status !== 'ready')
      throw apiError('unavailable', 'the queue (Redis) is unreachable; try again shortly');
  }

  return {
    /**
     * Expand, persist in one transaction, then enqueue. A crash or a Redis failure between the two is
     * healed by the reconciler.
     */
    async submit(scope: TenantScope, spec: SweepSpec, warnings: string[]) {
      requireRedis();
      const { rows } = await scope.db.query<{ active: number }>(
        `select count(*)::int as active from sweeps where status in ('queued', 'running')`,
      );
      if ((rows[0]?.active ?? 0) >= maxActiveSweeps)
        throw apiError(
          'rate_limited',
          `tenant ${scope.tenantId} already has ${rows[0]?.active} queued or running sweeps (maxActiveSweeps ${maxActiveSweeps}); wait for one to end or cancel one`,
        );
      const expansion = expandSweep(spec);
      const created = await createSweep(scope.db, {
        tenantId: scope.tenantId,
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
      const queueWarnings = await enqueueChunks(queue, created.chunks).then(
        () => [],
        // The sweep is committed, so it is accepted: answering 5xx would invite a duplicate submission.
        (error: unknown) => [
          `the queue (Redis) refused the chunks (${error instanceof Error ? error.message : String(error)}); ` +
            'the reconciler enqueues them once Redis accepts writes again',
        ],
      );
      const { chunks: _chunks, ...summary } = created;
      return { ...summary, warnings: [...warnings, ...expansion.warnings, ...queueWarnings] };
    },

    async cancel(scope: TenantScope, id: string) {
      const result = await cancelSweep(scope.db, id);
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
