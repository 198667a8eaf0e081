/**
 * Adaptive cohorts (docs/adaptive-cohorts.md): a sweep whose `cohort.patients` is {initial, max} runs
 * in rounds. Round 0 simulates `initial` patients per point; when a round's last chunk completes, each
 * point still running is judged on its survival table — the stopping rule (@frontline/stats'
 * nextCohortRound) stops it when its metric's 95% CI half-width is ≤ the target or it has `max`
 * patients, and otherwise appends its next patients (doubling, capped at max) to the work sequence.
 *
 * Exactly once and deterministic: the decision is taken inside the transaction that moves the round's
 * last chunk to done, with the sweep row locked (only that transaction sees no pending chunk and every
 * planned chunk created), from the completed rounds' tables alone — the same on any number of workers.
 * A crash before the commit rolls the decision back with the chunk, which is retried and decides then.
 */
import { type AdaptiveCohort, adaptiveCohortOf, type Cohort } from '@frontline/contracts';
import type { ChunkRef } from '@frontline/queue';
import { emptyCountTable, nextCohortRound, precisionHalfWidth } from '@frontline/stats';
import type pg from 'pg';
import { chunkCount, flattenRanges } from './chunk-plan.js';
import { createNextChunks } from './chunks.js';
import { countsOfPoints } from './results/survival-counts.js';
import { activeSweepStatesSql, chunkStatus } from './sql-vocabulary.js';

/** A distinct point of an adaptive sweep that has not stopped yet. */
interface RunningPoint {
  pointId: number;
  /** Its first position in design order: the sweep_points row that carries its work. */
  firstIndex: number;
  patients: number;
  rounds: number;
  horizon: number;
}

/** One point's verdict after a round. */
export interface PointVerdict {
  pointId: number;
  halfWidth: number;
  /** Patients it has now, and those it will have after the next round (equal when it stops). */
  patients: number;
  next: number;
  stop: 'precise' | 'max' | null;
}

/** The stopping rule applied to every running point (pure: the tables in, the verdicts out). */
export function judgePoints(
  cohort: AdaptiveCohort,
  points: readonly { pointId: number; patients: number; horizon: number }[],
  halfWidthOf: (pointId: number, horizon: number) => number,
): PointVerdict[] {
  return points.map(({ pointId, patients, horizon }) => {
    const halfWidth = halfWidthOf(pointId, horizon);
    const decision = nextCohortRound({
      halfWidth,
      target: cohort.precision.halfWidth,
      patients,
      initial: cohort.initial,
      max: cohort.max,
    });
    return decision.stop
      ? { pointId, halfWidth, patients, next: patients, stop: decision.reason }
      : { pointId, halfWidth, patients, next: decision.total, stop: null };
  });
}

/**
 * If `sweepId` is adaptive and its current round has just completed (no pending chunk, every planned
 * chunk created), judge its running points and append the next round of those that continue, giving
 * the round's first chunks their rows. Returns those chunks, for the caller to enqueue after commit;
 * none when the sweep is not adaptive, the round is not over, or no point continues (then the caller
 * completes the sweep). The caller holds the sweep's row lock.
 */
export async function startNextCohortRound(client: pg.PoolClient, sweepId: string): Promise<ChunkRef[]> {
  const { rows } = await client.query<{
    cohort: Cohort;
    round: number;
    chunkSize: number;
    chunkWindow: number;
    length: string;
    roundOver: boolean;
  }>(
    `select spec->'cohort' as cohort, cohort_round as round, chunk_size as "chunkSize",
            chunk_window as "chunkWindow", coalesce(work_length, total - reused) as length,
            chunks_created = chunks_planned and not exists (
              select 1 from chunks where sweep_id = $1 and status = ${chunkStatus('pending')}) as "roundOver"
     from sweeps where id = $1 and cohort_round is not null and status in ${activeSweepStatesSql}`,
    [sweepId],
  );
  const sweep = rows[0];
  const cohort = sweep && adaptiveCohortOf(sweep.cohort);
  if (!sweep?.roundOver || !cohort) return [];

  const { rows: running } = await client.query<RunningPoint>(
    `select sp.point_id as "pointId", min(sp.point_index) as "firstIndex", max(sp.cohort_patients) as patients,
            max(sp.cohort_rounds) as rounds, (p.params->>'horizonDays')::float8 as horizon
     from sweep_points sp join points p on p.id = sp.point_id
     where sp.sweep_id = $1 and sp.cohort_stop is null and sp.cohort_patients is not null
     group by sp.point_id, p.params order by min(sp.point_index)`,
    [sweepId],
  );
  const counts = await countsOfPoints(
    client,
    { sweepId },
    cohort.precision.endpoint,
    running.map((p) => p.pointId),
  );
  const verdicts = judgePoints(cohort, running, (pointId, horizon) =>
    precisionHalfWidth(counts.get(pointId) ?? emptyCountTable(), cohort.precision, horizon),
  );

  // The next round's work starts at a chunk boundary: the last chunk of this round may be short.
  const roundStart = chunkCount(Number(sweep.length), sweep.chunkSize) * sweep.chunkSize;
  let cursor = roundStart;
  const work = verdicts.map((verdict) => {
    if (verdict.stop) return { workStart: null, missing: [] as number[] };
    const missing = flattenRanges([{ start: verdict.patients, end: verdict.next }]);
    const workStart = cursor;
    cursor += verdict.next - verdict.patients;
    return { workStart, missing };
  });
  await client.query(
    `update sweep_points sp set
       half_width = case when v.hw = 'NaN' then null else v.hw end,
       cohort_stop = v.stop,
       cohort_patients = v.next,
       cohort_rounds = sp.cohort_rounds + case when v.stop is null then 1 else 0 end,
       work_start = case when sp.point_index = v.first and v.stop is null then v.ws else sp.work_start end,
       work_patients = case when sp.point_index = v.first and v.stop is null then v.next - v.n else sp.work_patients end,
       missing_ranges = case when sp.point_index = v.first and v.stop is null
                             then string_to_array(v.m, ',')::int4[] else sp.missing_ranges end
     from unnest($2::int4[], $3::int4[], $4::float8[], $5::text[], $6::int4[], $7::int4[], $8::int8[], $9::text[])
          as v(point_id, first, hw, stop, n, next, ws, m)
     where sp.sweep_id = $1 and sp.point_id = v.point_id`,
    [
      sweepId,
      verdicts.map((v) => v.pointId),
      running.map((p) => p.firstIndex),
      verdicts.map((v) => v.halfWidth),
      verdicts.map((v) => v.stop),
      verdicts.map((v) => v.patients),
      verdicts.map((v) => v.next),
      work.map((w) => w.workStart),
      work.map((w) => w.missing.join(',')),
    ],
  );
  const continuing = verdicts.filter((v) => !v.stop);
  const added = continuing.reduce((sum, v) => sum + v.next - v.patients, 0);
  await client.query(
    `update sweeps set points_running = $2,
       cohort_round = cohort_round + case when $2 > 0 then 1 else 0 end,
       total = total + $3, work_length = $4, chunks_planned = $5
     where id = $1`,
    [sweepId, continuing.length, added, cursor, chunkCount(cursor, sweep.chunkSize)],
  );
  if (continuing.length === 0) return [];
  return createNextChunks(client, sweepId, sweep.chunkWindow);
}
