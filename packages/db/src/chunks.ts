import type { Priority, SweepState } from '@frontline/contracts';
import type { ChunkRef } from '@frontline/queue';
import type pg from 'pg';
import { chunkWork, type Segment, segmentsOf, unflattenRanges } from './chunk-plan.js';
import { inTransaction } from './client.js';
import type { OutcomeRecord } from './outcome-columns.js';
import type { ChunkRow } from './schema.js';
import { activeSweepStatesSql, chunkStatus, sweepState } from './sql-vocabulary.js';
import { recordChunkTallies } from './tallies/record-tallies.js';
import { pointRecordings, storeOutcomeRowsOfPoints } from './tallies/recording.js';
import { recordedOutcome } from './tallies/time-grid.js';

/** A point a chunk simulates patients of. */
export interface SegmentPoint {
  pointIndex: number;
  pointId: number;
  pointHash: string;
  /** The point's model (`points.model_id`). */
  modelId: string;
  params: unknown;
}

/** Patients [patientStart, patientEnd) of one point: a chunk is one or more of these. */
export type ChunkSegment = Segment<SegmentPoint>;

export interface ChunkWork
  extends Pick<ChunkRow, 'sweepId' | 'chunkIndex' | 'status' | 'workStart' | 'workEnd'> {
  sweepStatus: SweepState;
  cohortSeed: number;
  segments: ChunkSegment[];
}

/** The segments of work positions [workStart, workEnd) of a sweep: the points they overlap, via the work index. */
async function loadSegments(
  db: pg.Pool | pg.PoolClient,
  sweepId: string,
  workStart: number,
  workEnd: number,
): Promise<ChunkSegment[]> {
  // The first point overlapping the range starts at the last work_start ≤ workStart (one index seek).
  const { rows } = await db.query<
    SegmentPoint & { workStart: string | number; missingRanges: number[] | null }
  >(
    `select sp.point_index as "pointIndex", sp.point_id as "pointId", p.hash as "pointHash",
            p.model_id as "modelId", p.params, sp.work_start as "workStart", sp.missing_ranges as "missingRanges"
     from sweep_points sp join points p on p.id = sp.point_id
     where sp.sweep_id = $1 and sp.work_start < $3
       and sp.work_start >= coalesce((select max(work_start) from sweep_points
                                      where sweep_id = $1 and work_start <= $2), 0)
     order by sp.work_start`,
    [sweepId, workStart, workEnd],
  );
  return segmentsOf(
    rows.map(({ workStart: start, missingRanges, ...point }) => ({
      point,
      workStart: Number(start),
      missing: unflattenRanges(missingRanges ?? []),
    })),
    workStart,
    workEnd,
  );
}

/** What a worker needs to run a chunk, or undefined if the chunk no longer exists. */
export async function loadChunk(
  pool: pg.Pool,
  sweepId: string,
  chunkIndex: number,
): Promise<ChunkWork | undefined> {
  const { rows } = await pool.query<Omit<ChunkWork, 'segments'>>(
    `select c.sweep_id as "sweepId", c.chunk_index as "chunkIndex", c.status, s.status as "sweepStatus",
            s.cohort_seed as "cohortSeed", c.work_start as "workStart", c.work_end as "workEnd"
     from chunks c join sweeps s on s.id = c.sweep_id
     where c.sweep_id = $1 and c.chunk_index = $2`,
    [sweepId, chunkIndex],
  );
  const chunk = rows[0];
  if (!chunk) return undefined;
  const workStart = Number(chunk.workStart);
  const workEnd = Number(chunk.workEnd);
  const segments = chunk.status === 'pending' ? await loadSegments(pool, sweepId, workStart, workEnd) : [];
  return { ...chunk, workStart, workEnd, segments };
}

/** The first chunk a worker picks up moves its sweep from queued to running. */
export async function markSweepStarted(pool: pg.Pool, sweepId: string): Promise<void> {
  await pool.query(
    `update sweeps set status = ${sweepState('running')}, started_at = now()
     where id = $1 and status = ${sweepState('queued')}`,
    [sweepId],
  );
}

/**
 * Give the next `count` chunks of an active sweep their rows (the enqueue window), in order; returns
 * them for the caller to enqueue once the transaction commits. The caller holds the sweep's row lock.
 */
export async function createNextChunks(
  client: pg.PoolClient,
  sweepId: string,
  count: number,
): Promise<ChunkRef[]> {
  if (count <= 0) return [];
  const { rows } = await client.query<{
    tenantId: string;
    priority: Priority;
    chunkSize: number;
    toSimulate: string;
    created: number;
    planned: number;
  }>(
    `select tenant_id as "tenantId", priority, chunk_size as "chunkSize", total - reused as "toSimulate",
            chunks_created as created, chunks_planned as planned
     from sweeps where id = $1 and status in ${activeSweepStatesSql}`,
    [sweepId],
  );
  const sweep = rows[0];
  if (!sweep) return [];
  const last = Math.min(sweep.planned, sweep.created + count);
  if (last <= sweep.created) return [];
  await client.query('update sweeps set chunks_created = $2 where id = $1', [sweepId, last]);
  const indexes: number[] = [];
  for (let k = sweep.created; k < last; k++) indexes.push(k);
  const work = indexes.map((k) => chunkWork(k, sweep.chunkSize, Number(sweep.toSimulate)));
  await client.query(
    `insert into chunks (tenant_id, sweep_id, chunk_index, work_start, work_end)
     select $1, $2, k, s, e from unnest($3::int4[], $4::int8[], $5::int8[]) as t(k, s, e)`,
    [sweep.tenantId, sweepId, indexes, work.map((w) => w.workStart), work.map((w) => w.workEnd)],
  );
  return indexes.map((chunkIndex) => ({ sweepId, chunkIndex, priority: sweep.priority }));
}

/**
 * Store a chunk's outcomes (one segment per point) and mark it done in one transaction. Idempotent: a
 * retried or duplicated chunk inserts no row twice. The chunk that moves pending → done gives the
 * sweep's next chunk its row, keeping the window full; the caller enqueues `next` after the commit
 * (if it dies first, the reconciler enqueues it). The sweep row is locked for the bookkeeping, so
 * that exactly one of two concurrently finishing chunks sees "nothing left" and completes it.
 */
export async function completeChunk(
  pool: pg.Pool,
  chunk: { sweepId: string; chunkIndex: number; workerHost: string },
  segments: readonly ChunkSegment[],
  outcomes: readonly (readonly OutcomeRecord[])[],
): Promise<{ inserted: number; sweepStatus: SweepState; next: ChunkRef[] }> {
  return inTransaction(pool, async (client) => {
    // Every segment's point grid and retention in one lookup, and all their rows in one insert (none in
    // summary mode): a chunk of many small points costs two round trips here, not two per point.
    const recordings = await pointRecordings(
      client,
      chunk.sweepId,
      segments.map((segment) => segment.point.pointId),
    );
    // Recorded once, here: the rows and the tables see the same values (times on each point's grid,
    // single-precision outputs rounded), so tables rebuilt from the rows equal those kept at ingest.
    const recorded = outcomes.map((records, i) =>
      records.map((record) => recordedOutcome(record, recordings[i]!.stepDays)),
    );
    const inserted = await storeOutcomeRowsOfPoints(client, recordings, recorded);
    await client.query('select 1 from sweeps where id = $1 for update', [chunk.sweepId]);
    const { rowCount } = await client.query(
      `update chunks set status = ${chunkStatus('done')}, worker_host = $3, finished_at = now(),
                         attempts = attempts + 1
       where sweep_id = $1 and chunk_index = $2 and status = ${chunkStatus('pending')}`,
      [chunk.sweepId, chunk.chunkIndex, chunk.workerHost],
    );
    let next: ChunkRef[] = [];
    if (rowCount === 1) {
      // Only the transaction that moved the chunk pending → done adds its outcomes to the tables (three
      // statements for the whole chunk, under the sweep's row lock taken above).
      await recordChunkTallies(client, recordings, recorded);
      next = await createNextChunks(client, chunk.sweepId, 1);
    }
    const anyLeft = `(exists (select 1 from chunks where sweep_id = $1 and status = ${chunkStatus('pending')})
                      or chunks_created < chunks_planned)`;
    const { rows } = await client.query<{ status: SweepState }>(
      `update sweeps set
         status = case when ${anyLeft} then ${sweepState('running')} else ${sweepState('completed')} end,
         started_at = coalesce(started_at, now()),
         finished_at = case when ${anyLeft} then null else now() end
       where id = $1 and status in ${activeSweepStatesSql}
       returning status`,
      [chunk.sweepId],
    );
    return { inserted, sweepStatus: rows[0]?.status ?? 'cancelled', next };
  });
}

/** "point 1a2b…, patients 0–1999; point …": which work a chunk held, for a failure reason. */
const describeSegments = (segments: readonly ChunkSegment[]) =>
  segments
    .map((s) => `point ${s.point.pointHash.slice(0, 12)}, patients ${s.patientStart}–${s.patientEnd - 1}`)
    .join('; ');

/** A chunk that exhausted its attempts fails its sweep, with the reason. */
export async function failChunk(
  pool: pg.Pool,
  chunk: { sweepId: string; chunkIndex: number; workerHost: string },
  reason: string,
): Promise<void> {
  await inTransaction(pool, async (client) => {
    await client.query('select 1 from sweeps where id = $1 for update', [chunk.sweepId]);
    const { rows } = await client.query<{ workStart: string; workEnd: string }>(
      `update chunks set status = ${chunkStatus('failed')}, error = $3, worker_host = $4, finished_at = now()
       where sweep_id = $1 and chunk_index = $2 and status = ${chunkStatus('pending')}
       returning work_start as "workStart", work_end as "workEnd"`,
      [chunk.sweepId, chunk.chunkIndex, reason, chunk.workerHost],
    );
    const failed = rows[0];
    if (!failed) return;
    const segments = await loadSegments(
      client,
      chunk.sweepId,
      Number(failed.workStart),
      Number(failed.workEnd),
    );
    await client.query(
      `update sweeps set status = ${sweepState('failed')}, finished_at = now(), failure_reason = $2
       where id = $1 and status in ${activeSweepStatesSql}`,
      [chunk.sweepId, `chunk ${chunk.chunkIndex} (${describeSegments(segments)}) failed: ${reason}`],
    );
  });
}
