/**
 * What every read of a sweep's results shares. A sweep's outcomes are those of its points with the
 * sweep's cohort seed and patient index below its cohort size (outcomes are shared between sweeps).
 */
import { once } from 'node:events';
import type pg from 'pg';

/** Which outcomes belong to a sweep. */
export interface SweepScope {
  sweepId: string;
  cohortSeed: number;
  patients: number;
  /** The sweep's model: which columns an endpoint reads (lf-tid@2's `pfs` is scan-based). */
  modelId: string;
}

/** A page of a sweep's points in design order: `limit` points from point index `offset`. */
export interface PointRange {
  offset: number;
  limit: number;
}

export const everyPoint: PointRange = { offset: 0, limit: 2_147_483_647 };

/** A non-negative integer as SQL text (COPY and SET take no bind parameters). */
export function integerLiteral(value: number): string {
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`expected an integer ≥ 0, got ${value}`);
  return String(value);
}

/** The scope as SQL literals, for statements that take no bind parameters (COPY). */
export function scopeLiterals(client: pg.ClientBase, scope: SweepScope) {
  if (!Number.isSafeInteger(scope.cohortSeed) || !Number.isSafeInteger(scope.patients))
    throw new Error('cohort seed and patients must be integers');
  return {
    sweepId: client.escapeLiteral(scope.sweepId),
    cohortSeed: String(scope.cohortSeed),
    patients: String(scope.patients),
  };
}

/**
 * pg-copy-streams ends its stream at CopyDone, before Postgres reports the command complete: wait for
 * the connection to be ready before its next statement (or before handing it back to the pool).
 */
export async function copyFinished(client: pg.ClientBase, silenceMs?: number): Promise<void> {
  if ((client as { readyForQuery?: boolean }).readyForQuery) return;
  await once(client, 'drain', silenceMs === undefined ? {} : { signal: AbortSignal.timeout(silenceMs) });
}
