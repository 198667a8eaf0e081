import { forTenant, type SweepProgress, type SweepScope } from '@frontline/db';
import { defaultParams } from '@frontline/sim';
import type { FastifyRequest } from 'fastify';
import type pg from 'pg';
import type { CapacityOptions, HeavyGate } from '../capacity.js';
import type { StatsPool } from '../stats-pool.js';

/** Times of the S(t) estimates when a request names none. */
export const defaultTimes = [365, 730];

export interface ResultDeps {
  /** The pool for heavy reads (bounded by `gate`), not the one key checks use. */
  heavyPool: pg.Pool;
  gate: HeavyGate;
  stats: StatsPool;
  capacity: CapacityOptions;
}

/** The heavy pool as the request's tenant (row-level security as on `request.tenantDb`). */
export const heavyDb = (deps: { heavyPool: pg.Pool }, request: FastifyRequest) =>
  forTenant(deps.heavyPool, request.auth!.tenantId);

export function scopeOf(sweep: SweepProgress): SweepScope {
  return {
    sweepId: sweep.id,
    cohortSeed: sweep.cohortSeed,
    patients: sweep.patients,
    modelId: sweep.modelId,
  };
}

/** Whether outcomes are still missing (running, or ended without all of them). */
export const isPartial = (sweep: SweepProgress) => sweep.progress.done < sweep.progress.total;

/** The follow-up horizon of a point: restricted means are taken to it. */
export function horizonOf(sweep: SweepProgress, axisValues: Record<string, number>): number {
  const params = (sweep.spec as { params?: Record<string, unknown> }).params ?? {};
  const fixed = typeof params.horizonDays === 'number' ? params.horizonDays : undefined;
  // horizonDays has the same default in every model.
  return axisValues.horizonDays ?? fixed ?? defaultParams.horizonDays;
}
