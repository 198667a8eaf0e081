import { setImmediate } from 'node:timers/promises';
import {
  adaptiveCohortOf,
  apiError,
  checkSweepPointSlices,
  chunkSizeOf,
  cohortPatientsBound,
  type DesignAxisValues,
  defaultChunkWindow,
  defaultPointsBeforeReply,
  defaultSweepLimits,
  designAxisValues,
  outcomeRetentionOf,
  parseSweepSpec,
  type StoredSweepPoint,
  type SweepDryRun,
  type SweepLimits,
  type SweepSpec,
  storageEstimate,
  storedPointBatches,
  sweepPointCount,
  sweepWarnings,
} from '@frontline/contracts';
import {
  ActiveSweepCapError,
  cancelSweep,
  claimPlacement,
  createSweep,
  failSweep,
  forTenant,
  pendingChunks,
  placementOf,
  placeNextPoints,
  placingSweeps,
  previewSweep,
} from '@frontline/db';
import {
  type ChunkRef,
  enqueueChunks,
  recentThroughput,
  reconcileQueue,
  removeChunkJobs,
} from '@frontline/queue';
import { modelIds, sha256Hex } from '@frontline/sim';
import type { Queue } from 'bullmq';
import { type Redis, ReplyError } from 'ioredis';
import type pg from 'pg';
import { codeVersion } from './env.js';

/** Queued or running sweeps one tenant may have at once (checked in the submitting transaction). */
export const defaultMaxActiveSweeps = 20;

export interface SweepServiceDeps {
  pool: pg.Pool;
  queue: Queue;
  redis: Redis;
  limits?: SweepLimits;
  maxActiveSweeps?: number;
  /**
   * Reuse stored outcomes across tenants (operator setting, default off). Off, a tenant's points
   * are its own, so `reused` and the numbers it gets back never come from another tenant's work.
   */
  shareOutcomesAcrossTenants?: boolean;
}

/** Tenant-scoped data access (row-level security) for one request. */
export interface TenantScope {
  tenantId: string;
  db: pg.Pool;
}

/** What one reconciler pass did. */
export interface ReconcileReport {
  requeued: number;
  /** Sweeps ended `failed` because the queue refused their jobs. */
  failedSweeps: { sweepId: string; reason: string }[];
  /** Sweeps left pending for the next pass (Redis unreachable or answering errors). */
  errors: { sweepId: string; error: unknown }[];
}

/**
 * The point's storage address. Points and their outcomes are shared by every sweep with the same
 * address, so folding the tenant in keeps reuse within the tenant.
 */
export function tenantPointHash(tenantId: string, pointHash: string): string {
  return sha256Hex(`tenant\u0000${tenantId}\u0000${pointHash}`);
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Points per batch of a submission's writes, and per slice of its expansion between event-loop turns. */
const pointBatchSize = 1_000;
const expansionSlice = 100;

/** Points checked between event-loop turns when a large design is checked whole before its reply. */
const checkSlice = 1_000;

/** No size limit: a stored spec was accepted once, whatever the limits are now. */
const unlimited: SweepLimits = {
  maxPoints: Number.MAX_SAFE_INTEGER,
  maxPatientsPerPoint: Number.MAX_SAFE_INTEGER,
  maxSimulations: Number.MAX_SAFE_INTEGER,
  maxSummarySimulations: Number.MAX_SAFE_INTEGER,
  maxChunksPerSweep: Number.MAX_SAFE_INTEGER,
  maxBodyBytes: Number.MAX_SAFE_INTEGER,
};

/** Points of each model the boot warm-up expands: enough for V8 to optimise the per-point code. */
const warmUpPoints = 5_000;

/**
 * Run a submission's per-point code (design, parameter resolution, content hashes, tenant addresses) on a
 * throwaway design of each model, a slice at a time, before the API takes requests: unoptimised, the first
 * 10⁴-point submission after a start took ~2× as long as the next (docs/benchmarks.md). Writes nothing;
 * returns the points expanded per model.
 */
export async function warmUpSubmission(): Promise<Record<string, number>> {
  const expanded: Record<string, number> = {};
  for (const model of modelIds) {
    const parsed = parseSweepSpec({
      name: 'warm-up',
      model,
      design: {
        kind: 'lhs',
        samples: warmUpPoints,
        seed: 1,
        axes: { dose: { min: 0, max: 10 }, immuneKill: { min: 0.01, max: 0.2 } },
      },
      cohort: { patients: 1, seed: 1 },
    });
    if (!parsed.ok) throw parsed.error;
    expanded[model] = 0;
    for (const slice of storedPointBatches(parsed.spec, expansionSlice)) {
      for (const point of slice) tenantPointHash('warm-up', point.pointHash);
      expanded[model] += slice.length;
      await setImmediate();
    }
  }
  return expanded;
}

/**
 * Jobs of a new sweep queued before its 202 (the rest of the window follows at once): enough to start
 * every worker, and a few milliseconds of Redis instead of ~0.15 s for a window of 1,000.
 */
const jobsBeforeReply = 100;

/** The dry run's ETA divides by the simulations the workers finished over this trailing window. */
const throughputWindowSeconds = 60;

export function createSweepService({
  pool,
  queue,
  redis,
  limits = defaultSweepLimits,
  maxActiveSweeps = defaultMaxActiveSweeps,
  shareOutcomesAcrossTenants = false,
}: SweepServiceDeps) {
  function requireRedis() {
    if (redis.status !== 'ready')
      throw apiError('unavailable', 'the queue (Redis) is unreachable; try again shortly');
  }

  /**
   * Whether an enqueue error is the queue refusing these jobs (BullMQ or the catalog rejected them
   * before sending, while Redis answers), which retrying cannot fix, rather than Redis being away.
   */
  async function queueRefused(error: unknown): Promise<boolean> {
    if (error instanceof ReplyError || redis.status !== 'ready') return false;
    return redis.ping().then(
      () => true,
      () => false,
    );
  }

  /** End a sweep whose jobs the queue refused as failed, and drop any of its jobs already added. */
  async function failUnqueueable(db: pg.Pool, sweepId: string, chunks: readonly ChunkRef[], error: unknown) {
    const reason = `the queue refused the chunks of this sweep: ${errorMessage(error)}`;
    await failSweep(db, sweepId, reason);
    await removeChunkJobs(queue, chunks);
    return reason;
  }

  /**
   * The design's points as a submission stores them (no point built: storedPointBatches), in batches, under
   * the tenant's addresses unless outcomes are shared.
   */
  function* storedBatches(
    tenantId: string,
    spec: SweepSpec,
    batchSize: number,
    from = 0,
    design?: readonly Record<string, number>[],
  ) {
    for (const batch of storedPointBatches(spec, batchSize, from, design)) {
      if (!shareOutcomesAcrossTenants)
        for (const point of batch) point.pointHash = tenantPointHash(tenantId, point.pointHash);
      yield batch;
    }
  }

  /**
   * The design's points for createSweep, in batches of `pointBatchSize`, expanded a slice at a time
   * with the event loop given back in between, so the batch before is written meanwhile.
   */
  async function* expandedPointBatches(
    tenantId: string,
    spec: SweepSpec,
    design: DesignAxisValues,
    upTo = Number.POSITIVE_INFINITY,
  ) {
    let batch: StoredSweepPoint[] = [];
    let given = 0;
    for (const slice of storedBatches(tenantId, spec, expansionSlice, 0, design)) {
      batch.push(...slice);
      if (batch.length >= pointBatchSize) {
        yield batch;
        given += batch.length;
        batch = [];
        if (given >= upTo) return;
      }
      await setImmediate();
    }
    if (batch.length > 0) yield batch;
  }

  /** Sweeps this process is placing now (each also holds its claim in Postgres). */
  const placing = new Set<string>();

  /**
   * Write the rest of a large design's points, batch by batch from where the committed placement stands,
   * queueing the chunks each batch completes. Claimed, so one placer runs per sweep; stops quietly when
   * the sweep is no longer placing (cancelled, failed, deleted). An error leaves the placement for the
   * reconciler's next pass, which resumes it from what was committed.
   */
  async function placeRest(
    tenantId: string,
    sweepId: string,
    spec: SweepSpec,
    design: DesignAxisValues = designAxisValues(spec),
  ) {
    if (placing.has(sweepId)) return;
    placing.add(sweepId);
    try {
      const claim = await claimPlacement(pool, sweepId);
      if (!claim) return;
      try {
        const db = forTenant(pool, tenantId);
        const placement = await placementOf(db, sweepId);
        if (!placement) return;
        for (const batch of storedBatches(tenantId, spec, pointBatchSize, placement.pointsPlaced, design)) {
          const placed = await placeNextPoints(db, placement, batch);
          if (!placed) return;
          // Redis away: the chunks are pending rows, which the reconciler enqueues.
          await enqueueChunks(queue, placed.chunks).catch(() => {});
          if (placed.finished) return;
          await setImmediate();
        }
      } finally {
        await claim.release();
      }
    } finally {
      placing.delete(sweepId);
    }
  }

  /** Resume placements whose placer died (its claim went with its connection), from the stored spec. */
  async function resumePlacements(report: ReconcileReport) {
    for (const { tenantId, sweepId } of await placingSweeps(pool)) {
      if (placing.has(sweepId)) continue;
      const db = forTenant(pool, tenantId);
      const { rows } = await db.query<{ spec: unknown }>('select spec from sweeps where id = $1', [sweepId]);
      // Accepted once: parse it again without the deployment's size limits (they may have changed since).
      const parsed = parseSweepSpec(rows[0]?.spec, unlimited);
      if (!parsed.ok) {
        report.errors.push({ sweepId, error: parsed.error });
        continue;
      }
      // An error leaves the placement as committed, for the next pass.
      inBackground(placeRest(tenantId, sweepId, parsed.spec).catch(() => {}));
    }
  }

  /** Enqueues still running after their submission's reply. */
  const background = new Set<Promise<void>>();
  function inBackground(work: Promise<void>) {
    background.add(work);
    void work.finally(() => background.delete(work));
  }

  /**
   * The rest of a sweep's first window, after its reply. Redis away: the reconciler enqueues these
   * chunks later (they are pending rows without jobs); the queue refusing them: the sweep ends failed.
   */
  async function enqueueAfterReply(
    db: pg.Pool,
    sweepId: string,
    later: readonly ChunkRef[],
    window: readonly ChunkRef[],
  ) {
    try {
      await enqueueChunks(queue, later);
    } catch (error) {
      if (await queueRefused(error)) await failUnqueueable(db, sweepId, window, error).catch(() => {});
    }
  }

  /** Simulations per second the workers finished recently (null: none, or Redis unreachable). */
  async function recentRate(): Promise<number | null> {
    if (redis.status !== 'ready') return null;
    const recent = await recentThroughput(queue, redis, Date.now(), throughputWindowSeconds).catch(
      () => undefined,
    );
    if (!recent || recent.simulations === 0) return null;
    return recent.simulations / throughputWindowSeconds;
  }

  return {
    /**
     * What submitting would cost: plan the sweep as submit does (reuse included), write nothing.
     */
    async dryRun(scope: TenantScope, spec: SweepSpec, warnings: string[]): Promise<SweepDryRun> {
      // A slice at a time with the event loop given back in between, as a submission's expansion: a design
      // of 10⁵ points took ~0.7 s of CPU in one step, in which no other request was answered.
      const points: StoredSweepPoint[] = [];
      for await (const batch of expandedPointBatches(scope.tenantId, spec, designAxisValues(spec)))
        points.push(...batch);
      const chunkSize = chunkSizeOf(spec);
      // An adaptive cohort is previewed at its bound (max per point): the most the sweep can run.
      const patients = cohortPatientsBound(spec.cohort);
      const plan = await previewSweep(scope.db, {
        points,
        cohortSeed: spec.cohort.seed,
        patients,
        chunkSize,
      });
      const rate = await recentRate();
      return {
        dryRun: true,
        points: points.length,
        patients,
        simulations: plan.simulations,
        reused: plan.reused,
        toSimulate: plan.toSimulate,
        chunks: plan.chunks,
        chunkSize,
        storageBytes: storageEstimate(plan.toSimulate),
        recentSimulationsPerSecond: rate,
        etaSeconds: rate === null ? null : plan.toSimulate / rate,
        warnings: [...warnings, ...sweepWarnings(spec)],
      };
    },

    /**
     * Expand, persist in one transaction, then enqueue the first window of chunks (each finished
     * chunk queues the next; the reconciler re-enqueues any a crash left without a job). A crash or a Redis failure between the two is
     * healed by the reconciler; a sweep the queue refuses ends failed with the reason.
     */
    async submit(scope: TenantScope, spec: SweepSpec, warnings: string[]) {
      requireRedis();
      const adaptive = adaptiveCohortOf(spec.cohort);
      const bound = cohortPatientsBound(spec.cohort);
      const expansionWarnings = sweepWarnings(spec);
      // A large design answers once its first batch is written; every point is checked before (400 as ever).
      const designPoints = sweepPointCount(spec);
      const placeAfterReply =
        !adaptive && designPoints > (limits.pointsBeforeReply ?? defaultPointsBeforeReply);
      // Generated once: the check, the first batch and the placement after the reply all read it.
      const design = designAxisValues(spec);
      if (placeAfterReply)
        for (const _ of checkSweepPointSlices(spec, checkSlice, design)) await setImmediate();
      const created = await createSweep(scope.db, {
        tenantId: scope.tenantId,
        name: spec.name,
        priority: spec.priority ?? 'normal',
        modelId: spec.model,
        codeVersion: codeVersion(),
        spec,
        axes: Object.keys(spec.design.axes),
        referenceArm: spec.referenceArm ?? null,
        cohortSeed: spec.cohort.seed,
        ...(adaptive ? { patients: adaptive.initial, adaptiveMax: adaptive.max } : { patients: bound }),
        chunkSize: chunkSizeOf(spec),
        outcomes: outcomeRetentionOf(spec, limits),
        chunkWindow: limits.chunkWindow ?? defaultChunkWindow,
        // Expanded while Postgres writes the batch before; an invalid point rolls the sweep back (400).
        points: placeAfterReply
          ? expandedPointBatches(scope.tenantId, spec, design, pointBatchSize)
          : expandedPointBatches(scope.tenantId, spec, design),
        ...(placeAfterReply ? { designPoints } : {}),
        maxActiveSweeps,
      }).catch((error: unknown) => {
        if (!(error instanceof ActiveSweepCapError)) throw error;
        throw apiError(
          'rate_limited',
          `tenant ${scope.tenantId} already has ${error.active} queued or running sweeps (maxActiveSweeps ${error.maxActiveSweeps}); wait for one to end or cancel one`,
        );
      });
      const { chunks, chunksPlanned: _planned, placing: placesRest, ...summary } = created;
      if (placesRest) inBackground(placeRest(scope.tenantId, created.id, spec, design).catch(() => {}));
      // The first jobs are queued before the reply, so the sweep starts now and a queue that refuses its
      // jobs fails it in the answer; the rest of the window right after the reply. A crash meanwhile leaves
      // pending chunks without jobs: the reconciler enqueues them, as after a crash before the first jobs.
      const now = chunks.slice(0, jobsBeforeReply);
      const later = chunks.slice(jobsBeforeReply);
      try {
        await enqueueChunks(queue, now);
      } catch (error) {
        if (await queueRefused(error)) {
          const reason = await failUnqueueable(scope.db, created.id, chunks, error);
          return {
            ...summary,
            status: 'failed' as const,
            warnings: [...warnings, ...expansionWarnings, reason],
          };
        }
        // The sweep is committed, so it is accepted: answering 5xx would invite a duplicate submission.
        const warning =
          `the queue (Redis) refused the chunks (${errorMessage(error)}); ` +
          'the reconciler enqueues them once Redis accepts writes again';
        return { ...summary, warnings: [...warnings, ...expansionWarnings, warning] };
      }
      if (later.length > 0) inBackground(enqueueAfterReply(scope.db, created.id, later, chunks));
      return { ...summary, warnings: [...warnings, ...expansionWarnings] };
    },

    /** Wait for work a reply left running (the rest of a submitted sweep's first window). */
    async settled(): Promise<void> {
      while (background.size > 0) await Promise.all(background);
    },

    async cancel(scope: TenantScope, id: string) {
      const result = await cancelSweep(scope.db, id);
      if (!result.found) throw apiError('not_found', `no sweep ${id}`);
      if (result.cancelled && redis.status === 'ready') await removeChunkJobs(queue, result.chunks);
      return result.cancelled;
    },

    /**
     * Re-enqueue pending chunks whose jobs Redis no longer holds, sweep by sweep: a sweep the queue
     * refuses ends failed with the reason, and never stops the others' recovery.
     */
    async reconcile(): Promise<ReconcileReport> {
      const report: ReconcileReport = { requeued: 0, failedSweeps: [], errors: [] };
      await resumePlacements(report).catch((error: unknown) => report.errors.push({ sweepId: '', error }));
      if (redis.status !== 'ready') return report;
      const pending = await pendingChunks(pool);
      const tenantOf = new Map(pending.map((c) => [c.sweepId, c.tenantId]));
      const { requeued, failures } = await reconcileQueue(queue, pending);
      report.requeued = requeued;
      for (const { sweepId, chunks, error } of failures) {
        try {
          if (!(await queueRefused(error))) {
            report.errors.push({ sweepId, error });
            continue;
          }
          const db = forTenant(pool, tenantOf.get(sweepId)!);
          report.failedSweeps.push({ sweepId, reason: await failUnqueueable(db, sweepId, chunks, error) });
        } catch (failError) {
          report.errors.push({ sweepId, error: failError });
        }
      }
      return report;
    },
  };
}
export type SweepService = ReturnType<typeof createSweepService>;
