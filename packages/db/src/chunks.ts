import type { OutcomeRetention, Priority, SweepState } from '@frontline/contracts';
import type { ChunkRef } from '@frontline/queue';
import type pg from 'pg';
import { chunkWork, type Segment, segmentsOf, unflattenRanges } from './chunk-plan.js';
import { inTransaction } from './client.js';
import { startNextCohortRound } from './cohort-rounds.js';
import { outcomeColumns } from './outcome-columns.js';
import { insertOutcomeRows } from './outcomes.js';
import type { ChunkRow } from './schema.js';
import { activeSweepStatesSql, chunkStatus, sweepState } from './sql-vocabulary.js';
import type { ChunkRecording, RecordedChunk } from './tallies/record-chunk.js';
import { addChunkTallies } from './tallies/record-tallies.js';
import { stepDaysOf } from './tallies/time-grid.js';

/** A point a chunk simulates patients of. */
export interface SegmentPoint {
  pointIndex: number;
  pointId: number;
  pointHash: string;
  /** The point's model (`points.model_id`). */
  modelId: string;
  /**
   * Its parameters as stored: the base it shares with its sweep's other points (schema.ts point_bases; one
   * object per base, kept per process), or undefined for a point stored whole. Not to be changed.
   */
  base: Readonly<Record<string, unknown>> | undefined;
  /** With a base, the parameters that differ from it; without one, all of them. */
  changes: object;
}

/** A stored point's whole parameters (`base || changes`, as the view `points` gives them). */
export function pointParamsOf(point: Pick<SegmentPoint, 'base' | 'changes'>): object {
  return point.base ? { ...point.base, ...point.changes } : point.changes;
}

/** One parameter of a stored point, without building its whole parameters. */
function storedParam(point: Pick<SegmentPoint, 'base' | 'changes'>, name: string): unknown {
  const { changes, base } = point;
  return Object.hasOwn(changes, name) ? (changes as Record<string, unknown>)[name] : base?.[name];
}

/** Patients [patientStart, patientEnd) of one point: a chunk is one or more of these. */
export type ChunkSegment = Segment<SegmentPoint>;

export interface ChunkWork
  extends Pick<ChunkRow, 'sweepId' | 'chunkIndex' | 'status' | 'workStart' | 'workEnd'> {
  sweepStatus: SweepState;
  cohortSeed: number;
  /** The sweep's retention: whether the chunk's rows are stored besides its counts. */
  retention: OutcomeRetention;
  segments: ChunkSegment[];
}

/**
 * The segments of work positions [workStart, workEnd) of a sweep: the points they overlap, in three
 * index reads (and their bases', when not read before). Run in a transaction: the plans are pinned to
 * index scans for it. A sweep's rows are newer than the tables' statistics, which take a new sweep for a
 * small one; on those estimates the planner read every earlier point of the sweep and sorted them (bitmap
 * scan, top-N sort), and joined the points by scanning their table: ~40 µs a point at 50,000 points,
 * instead of ~1. Without bitmap scans, a points table not analyzed yet was read whole for each chunk
 * (11.6 against 0.6 ms a chunk at 55,000 stored points): no sequential scans either.
 */
async function loadSegments(
  db: pg.PoolClient,
  sweepId: string,
  workStart: number,
  workEnd: number,
): Promise<ChunkSegment[]> {
  await db.query(
    `select set_config('enable_sort', 'off', true), set_config('enable_bitmapscan', 'off', true),
            set_config('enable_seqscan', 'off', true)`,
  );
  // The first point overlapping the range starts at the last work_start ≤ workStart (one backward seek).
  const { rows: first } = await db.query<{ workStart: string }>(
    `select work_start as "workStart" from sweep_points
     where sweep_id = $1 and work_start <= $2 order by work_start desc limit 1`,
    [sweepId, workStart],
  );
  const { rows: placed } = await db.query<{
    pointIndex: number;
    pointId: number;
    workStart: string;
    missingRanges: number[] | null;
  }>(
    `select point_index as "pointIndex", point_id as "pointId", work_start as "workStart",
            missing_ranges as "missingRanges"
     from sweep_points where sweep_id = $1 and work_start >= $2 and work_start < $3 order by work_start`,
    [sweepId, first[0]?.workStart ?? 0, workEnd],
  );
  const { rows: stored } = await db.query<
    Omit<SegmentPoint, 'pointIndex' | 'base'> & { baseId: number | null }
  >(
    `select id as "pointId", hash as "pointHash", model_id as "modelId", base_id as "baseId", params as changes
     from point_rows where id = any($1::int4[])`,
    [[...new Set(placed.map((p) => p.pointId))]],
  );
  const bases = await pointBases(db, stored);
  // Left as stored, base and differences: the thread's task is made of them (apps/worker chunkTask). The
  // objects are written out, not spread: rest and spread of pg's rows cost ~1.3 µs a point (10× this).
  const rowsById = new Map(stored.map((row) => [row.pointId, row]));
  return segmentsOf(
    placed.map(({ pointIndex, pointId, workStart: start, missingRanges }) => {
      const row = rowsById.get(pointId)!;
      const base = row.baseId === null ? undefined : bases.get(row.baseId);
      if (row.baseId !== null && !base)
        throw new Error(`point ${pointId} names base ${row.baseId}, which is not stored`);
      const { pointHash, modelId, changes } = row;
      return {
        point: { pointIndex, pointId, pointHash, modelId, base, changes },
        workStart: Number(start),
        missing: unflattenRanges(missingRanges ?? []),
      };
    }),
    workStart,
    workEnd,
  );
}

/**
 * Bases are never changed nor deleted, and a chunk's points share one or two: kept per process, a chunk
 * reads its points' parameter differences only. Bounded: cleared when it fills.
 */
const basesRead = new Map<number, Readonly<Record<string, unknown>>>();
const basesKept = 1_000;

/** The base parameters of these points (schema.ts point_bases), by id. */
async function pointBases(db: pg.PoolClient, points: readonly { baseId: number | null }[]) {
  const bases = new Map<number, Readonly<Record<string, unknown>>>();
  const missing: number[] = [];
  for (const { baseId } of points) {
    if (baseId === null || bases.has(baseId) || missing.includes(baseId)) continue;
    const kept = basesRead.get(baseId);
    if (kept) bases.set(baseId, kept);
    else missing.push(baseId);
  }
  if (missing.length > 0) {
    const { rows } = await db.query<{ id: number; params: Readonly<Record<string, unknown>> }>(
      'select id, params from point_bases where id = any($1::int4[])',
      [missing],
    );
    if (basesRead.size + rows.length > basesKept) basesRead.clear();
    for (const row of rows) {
      const base = Object.freeze(row.params); // shared by every chunk of the process that reads it
      bases.set(row.id, base);
      basesRead.set(row.id, base);
    }
  }
  return bases;
}

/** What a worker needs to run a chunk, or undefined if the chunk no longer exists. */
export async function loadChunk(
  pool: pg.Pool,
  sweepId: string,
  chunkIndex: number,
): Promise<ChunkWork | undefined> {
  // Both reads in one transaction: with a tenant-bound pool that is 4 round trips, not 6 (forTenant).
  return inTransaction(pool, async (client) => {
    const { rows } = await client.query<Omit<ChunkWork, 'segments'>>(
      `select c.sweep_id as "sweepId", c.chunk_index as "chunkIndex", c.status, s.status as "sweepStatus",
              s.cohort_seed as "cohortSeed", s.outcomes as retention, c.work_start as "workStart",
              c.work_end as "workEnd"
       from chunks c join sweeps s on s.id = c.sweep_id
       where c.sweep_id = $1 and c.chunk_index = $2`,
      [sweepId, chunkIndex],
    );
    const chunk = rows[0];
    if (!chunk) return undefined;
    const workStart = Number(chunk.workStart);
    const workEnd = Number(chunk.workEnd);
    const segments =
      chunk.status === 'pending' ? await loadSegments(client, sweepId, workStart, workEnd) : [];
    return { ...chunk, workStart, workEnd, segments };
  });
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
    `select tenant_id as "tenantId", priority, chunk_size as "chunkSize",
            coalesce(work_length, total - reused) as "toSimulate",
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
 * One more chunk of a sweep by a worker host (schema.ts sweep_workers), from `source`'s row of the sweep
 * (tenant_id, id): nothing when it has none (a deleted sweep).
 */
const countHost = (source: string, host: string) => `
    insert into sweep_workers as w (tenant_id, sweep_id, worker_host, chunks)
    select tenant_id, id, ${host}, 1 from ${source}
    on conflict (sweep_id, worker_host) do update set chunks = w.chunks + 1`;

// The sweep's part of a chunk's completion, last in its transaction, in one statement: the chunk's work and
// its worker host counted in the sweep's progress (schema.ts work_done, sweep_workers), whether or not the sweep
// has ended meanwhile, and, while it is active, one more chunk in the enqueue window. The update takes the
// sweep's row lock (no key update: the foreign-key checks of other chunks' inserts, which take key share on
// the row, go on meanwhile) and increments under it, so concurrent chunks each see the count the one before
// left; the host's row after it, as every writer takes them. Returns nothing for a deleted sweep.
const active = `status in ${activeSweepStatesSql}`;
const countAndTopUpWindow = `
  with sweep as (
    update sweeps set work_done = work_done + $2, last_done_at = greatest(last_done_at, now()),
                      chunks_created = case when ${active} then least(chunks_planned, chunks_created + 1)
                                            else chunks_created end
    where id = $1
    returning tenant_id, id, status, ${active} as active, priority, chunk_size,
              coalesce(work_length, total - reused) as to_simulate, chunks_created, chunks_planned, cohort_round),
  host as (${countHost('sweep', '$3')})
  select tenant_id as "tenantId", status, active, priority, chunk_size as "chunkSize", to_simulate as "toSimulate",
         chunks_created as created, chunks_planned as planned, cohort_round as "cohortRound"
  from sweep`;

// Then, in a new statement (its snapshot taken under the lock, so it sees every chunk committed before),
// the window's new last chunk (nothing if the window was already at the plan's end: that chunk exists,
// and \`not exists\` skips it without the unique check, which would wait for a chunk being completed and
// deadlock with it) and whether anything is left. The chunk inserted here is not visible to this statement's `exists`,
// hence `exists (select 1 from next)`. A sweep whose points are still being placed stays running: its placer completes it.
const insertNextAndSettle = `
  with next as (
    insert into chunks (tenant_id, sweep_id, chunk_index, work_start, work_end)
    select $2, $1, $3, $4, $5
    where not exists (select 1 from chunks where sweep_id = $1 and chunk_index = $3)
    returning chunk_index)
  update sweeps set
    status = case when remaining.more or chunks_created < chunks_planned or points_placed is not null
                  then ${sweepState('running')} else ${sweepState('completed')} end,
    started_at = coalesce(started_at, now()),
    finished_at = case when remaining.more or chunks_created < chunks_planned or points_placed is not null
                       then null else now() end
  from (select exists (select 1 from next)
               or exists (select 1 from chunks where sweep_id = $1 and status = ${chunkStatus('pending')}) as more) remaining
  where id = $1 and status in ${activeSweepStatesSql}
  returning status, (select chunk_index from next) as "nextIndex"`;

const outcomeFields = outcomeColumns.map((c) => c.field);

/**
 * What recording a loaded chunk's outcomes needs (recordChunk, in the simulation thread): the sweep's
 * retention, each segment's point and grid (from the points' parameters: no lookup), the table's columns.
 */
export function chunkRecording(
  sweepId: string,
  work: Pick<ChunkWork, 'segments' | 'retention'>,
): ChunkRecording {
  return {
    sweepId,
    retention: work.retention,
    segments: work.segments.map((s) => ({
      pointId: s.point.pointId,
      stepDays: stepDaysOf({ stepDays: storedParam(s.point, 'stepDays') }),
    })),
    fields: outcomeFields,
  };
}

/**
 * Store a chunk's recorded outcomes (recordChunk of chunkRecording: the rows, none in summary mode, and
 * the tallies) and mark it done in one transaction. Idempotent: a
 * retried or duplicated chunk inserts no row and adds no count twice. The chunk that moves pending →
 * done gives the sweep's next chunk its row, keeping the window full; the caller enqueues `next` after
 * the commit (if it dies first, the reconciler enqueues it).
 *
 * Everything that needs no lock happens before the transaction, in the simulation thread (the outcomes
 * recorded on the points' grids, the chunk's counts packed, the rows laid out as column literals). The
 * transaction takes its locks from the narrowest to the most shared, each held to commit: the chunk's row (the pending → done transition, the exactly-once guard), then its points' tally rows
 * (in key order), then the sweep's row, for two statements and the commit only. So chunks of a sweep
 * run their writes concurrently and queue only for that last step (and, sharing a point, its rows).
 */
export async function completeChunk(
  pool: pg.Pool,
  chunk: { sweepId: string; chunkIndex: number; workerHost: string },
  recorded: RecordedChunk,
): Promise<{ inserted: number; sweepStatus: SweepState; next: ChunkRef[] }> {
  const { tallies } = recorded;
  if (tallies && tallies.sweepId !== chunk.sweepId)
    throw new Error(`chunk of sweep ${chunk.sweepId} recorded for sweep ${tallies.sweepId}`);
  return inTransaction(pool, async (client) => {
    const { rows: moved } = await client.query<{ work: number }>(
      `update chunks set status = ${chunkStatus('done')}, worker_host = $3, finished_at = now(),
                         attempts = attempts + 1
       where sweep_id = $1 and chunk_index = $2 and status = ${chunkStatus('pending')}
       returning work_end - work_start as work`,
      [chunk.sweepId, chunk.chunkIndex, chunk.workerHost],
    );
    const chunkWorkDone = moved[0]?.work;
    if (chunkWorkDone === undefined) {
      // Done (or cancelled) by another attempt, which stored everything: nothing to add.
      return { inserted: 0, sweepStatus: await endedStatus(client, chunk.sweepId), next: [] };
    }
    // All the chunk's rows in one insert (none in summary mode), then its counts in three statements (record-tallies.ts).
    const inserted = recorded.rows ? await insertOutcomeRows(client, recorded.rows) : 0;
    if (tallies) await addChunkTallies(client, tallies);
    const { rows: topUp } = await client.query<{
      tenantId: string;
      status: SweepState;
      active: boolean;
      priority: Priority;
      chunkSize: number;
      toSimulate: number;
      created: number;
      planned: number;
      cohortRound: number | null;
    }>(countAndTopUpWindow, [chunk.sweepId, chunkWorkDone, chunk.workerHost]);
    const sweep = topUp[0];
    // The sweep ended meanwhile (cancelled or failed): the counts stay, and count in its progress; the window stops.
    if (!sweep?.active) return { inserted, sweepStatus: sweep?.status ?? 'cancelled', next: [] };
    // An adaptive sweep's window at its plan's end: if this chunk ends the round (none pending, seen under
    // the sweep's row lock), it decides the next round and creates its first window of chunks, or none:
    // then the settle below completes the sweep.
    const round =
      sweep.cohortRound != null && sweep.created === sweep.planned
        ? await startNextCohortRound(client, chunk.sweepId)
        : [];
    const nextIndex = sweep.created - 1;
    const work = chunkWork(nextIndex, sweep.chunkSize, Number(sweep.toSimulate));
    const { rows } = await client.query<{ status: SweepState; nextIndex: number | null }>(
      insertNextAndSettle,
      [chunk.sweepId, sweep.tenantId, nextIndex, work.workStart, work.workEnd],
    );
    const settled = rows[0];
    const next =
      settled?.nextIndex == null
        ? round
        : [...round, { sweepId: chunk.sweepId, chunkIndex: settled.nextIndex, priority: sweep.priority }];
    return { inserted, sweepStatus: settled?.status ?? 'cancelled', next };
  });
}

/**
 * One more chunk of the sweep failed by this worker host (schema.ts sweep_workers; completions count theirs
 * in countAndTopUpWindow): in the transaction that moved the chunk from pending, after the sweep's row (the
 * lock order of every writer). Nothing for a deleted sweep.
 */
async function countWorker(client: pg.PoolClient, sweepId: string, workerHost: string): Promise<void> {
  await client.query(countHost('sweeps where id = $1', '$2'), [sweepId, workerHost]);
}

/** The status of a sweep no chunk can move on any more; a deleted one reads as cancelled. */
async function endedStatus(client: pg.PoolClient, sweepId: string): Promise<SweepState> {
  const { rows } = await client.query<{ status: SweepState }>('select status from sweeps where id = $1', [
    sweepId,
  ]);
  return rows[0]?.status ?? 'cancelled';
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
  // The chunk's row first, the sweep's last, as completeChunk takes them (no deadlock between the two).
  await inTransaction(pool, async (client) => {
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
    // Its work counts as failed in the sweep's progress whether or not the sweep has ended meanwhile.
    await client.query(
      `update sweeps set work_failed = work_failed + $3,
                         status = case when ${active} then ${sweepState('failed')} else status end,
                         finished_at = case when ${active} then now() else finished_at end,
                         failure_reason = case when ${active} then $2 else failure_reason end
       where id = $1`,
      [
        chunk.sweepId,
        `chunk ${chunk.chunkIndex} (${describeSegments(segments)}) failed: ${reason}`,
        Number(failed.workEnd) - Number(failed.workStart),
      ],
    );
    await countWorker(client, chunk.sweepId, chunk.workerHost);
  });
}
