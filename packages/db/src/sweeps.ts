import {
  isActiveSweepState,
  type OutcomeRetention,
  type Priority,
  type SweepState,
} from '@frontline/contracts';
import type { ChunkRef } from '@frontline/queue';
import { paramChanges, sha256Hex } from '@frontline/sim';
import type pg from 'pg';
import { arrayLiteral, textArrayLiteral } from './array-literal.js';
import {
  chunkCount,
  flattenRanges,
  type PatientRange,
  plannableChunks,
  planWork,
  workPlanner,
} from './chunk-plan.js';
import { createNextChunks } from './chunks.js';
import { inTransaction } from './client.js';
import { startNextCohortRound } from './cohort-rounds.js';
import { type SweepRow, sweeps } from './schema.js';
import { activeSweepStatesSql, chunkStatus, selectColumns, sweepState } from './sql-vocabulary.js';
import { seedReusedTallies, summaryDonors } from './tallies/reuse.js';

export type { ChunkRef };

/** The advisory lock between reusing stored outcomes and deleting unreferenced ones (migration 0006). */
const outcomeReuseLock = 'frontline.outcome-reuse';

/**
 * Hold the reuse lock shared to the transaction's end: outcomes counted as reused are not being removed,
 * nor points found by hash (deleteSweep takes it exclusively).
 */
export const lockOutcomeReuse = (client: pg.PoolClient) =>
  client.query(`select pg_advisory_xact_lock_shared(hashtext('${outcomeReuseLock}'))`);

/**
 * A point to store: its whole parameters, or (as a submission expands them, storedPointBatches) the JSON
 * object of those that differ from its design's `base`, which every point of a batch then shares.
 */
export type NewSweepPoint = {
  index: number;
  axisValues: Record<string, number>;
  pointHash: string;
} & ({ params: unknown } | { changes: string; base: Readonly<Record<string, unknown>> | undefined });

export interface NewSweep {
  name: string;
  tenantId?: string;
  priority: Priority;
  modelId: string;
  codeVersion: string;
  spec: unknown;
  axes: string[];
  referenceArm: Record<string, number> | null;
  cohortSeed: number;
  /** Patients per point; for an adaptive cohort, those of round 0 (`initial`). */
  patients: number;
  /**
   * An adaptive cohort's `max` (docs/adaptive-cohorts.md): the sweep runs in rounds from `patients`
   * per point up to this many; its rule is read from `spec.cohort`. Absent: a fixed cohort.
   */
  adaptiveMax?: number;
  /** Simulations per chunk (a chunk may span points). */
  chunkSize: number;
  /** What the sweep keeps of its outcomes; `full` if not given. */
  outcomes?: OutcomeRetention;
  /** Chunks of this sweep given rows and jobs at once; each finished chunk queues the next. */
  chunkWindow: number;
  /**
   * The points in design order: an array, or batches produced while the previous batch is written
   * (the submission expands its design into the transaction instead of before it). An error thrown
   * by the batches (an invalid point) rolls the whole sweep back.
   */
  points: readonly NewSweepPoint[] | PointBatches;
  /**
   * Points of the whole design when `points` holds only its first ones (a large design answered before
   * it is all written): the sweep is created placing (`points_placed`), with chunks planned only over the
   * work placed; placeNextPoints (point-placement.ts) writes the rest. Every point must be checked first.
   */
  designPoints?: number;
  /** Queued or running sweeps the tenant may have, this one included; checked atomically. */
  maxActiveSweeps?: number;
}

/** The tenant already has its cap of queued or running sweeps; nothing was written. */
export class ActiveSweepCapError extends Error {
  constructor(
    readonly active: number,
    readonly maxActiveSweeps: number,
  ) {
    super(`${active} queued or running sweeps (maxActiveSweeps ${maxActiveSweeps})`);
    this.name = 'ActiveSweepCapError';
  }
}

export interface CreatedSweep {
  id: string;
  status: SweepState;
  points: number;
  patients: number;
  simulations: number;
  reused: number;
  /** Chunks the plan has (only the first `chunkWindow` are queued now). */
  chunksPlanned: number;
  /** The chunks queued now: enqueue them once the transaction commits. */
  chunks: ChunkRef[];
  /** Points are still to be placed (designPoints beyond those given): see placeNextPoints. */
  placing: boolean;
}

/** A sweep's points in design order, in batches. */
export type PointBatches = AsyncIterable<readonly NewSweepPoint[]>;

/** Points written per statement when createSweep is given an array. */
const pointBatchSize = 1_000;

async function* inBatches(points: readonly NewSweepPoint[]): PointBatches {
  for (let i = 0; i < points.length; i += pointBatchSize) yield points.slice(i, i + pointBatchSize);
}

/**
 * Write a sweep, its points (with their place in the work sequence) and its first `chunkWindow`
 * chunks in one transaction. Outcomes already stored for the same (point, cohort seed, patient) are
 * reused, so only missing patients enter the work sequence.
 * With `maxActiveSweeps`, throws ActiveSweepCapError when the tenant is at its cap: the count and
 * the insert hold one lock per tenant, so concurrent submissions cannot all pass the count.
 *
 * The points go in batch by batch: the sweep's row first (its totals set once every point is placed),
 * then per batch its points, their stored outcomes and their sweep_points rows. While Postgres writes
 * one batch the next is produced, so a design's expansion overlaps with writing it. Batches placed in
 * turn give the plan of all points at once (workPlanner), so the rows are those of one big insert.
 */
export async function createSweep(pool: pg.Pool, sweep: NewSweep): Promise<CreatedSweep> {
  const tenantId = sweep.tenantId ?? 'default';
  const batches = Array.isArray(sweep.points)
    ? inBatches(sweep.points as readonly NewSweepPoint[])
    : (sweep.points as PointBatches);
  return inTransaction(pool, async (client) => {
    if (sweep.maxActiveSweeps !== undefined) {
      const atCap = await activeSweepCap(client, tenantId, sweep.maxActiveSweeps);
      if (atCap) {
        // Nothing is written; the points are still produced, so an invalid one answers 400 before the cap's 429.
        for await (const _ of batches);
        throw atCap;
      }
    }
    // Shared with deleteSweep's exclusive lock: outcomes counted as reused are not being removed, nor
    // points this sweep finds by hash (taken before the points, so for the whole transaction).
    await lockOutcomeReuse(client);
    const id = await insertSweep(client, { ...sweep, tenantId });
    const adaptive = sweep.adaptiveMax !== undefined;
    const planner = workPlanner(sweep.patients);
    const target: PlacementTarget = { ...sweep, id, tenantId, adaptive };
    let pointCount = 0;
    await writeEachWhileProducingNext(batches, async (points) => {
      await placeBatch(client, target, planner, points);
      pointCount += points.length;
    });

    const toSimulate = planner.toSimulate();
    const placing = sweep.designPoints !== undefined && sweep.designPoints > pointCount;
    if (placing) {
      const chunksPlanned = plannableChunks(toSimulate, sweep.chunkSize, true);
      const planned = placementTotals(planner, sweep.patients, sweep.designPoints! - pointCount);
      await client.query(
        `update sweeps set points = $2, total = $3, reused = $4, points_placed = $5, work_length = $6,
                           chunks_planned = $7
         where id = $1`,
        [id, sweep.designPoints, planned.total, planned.reused, pointCount, toSimulate, chunksPlanned],
      );
      const chunks = await createNextChunks(client, id, sweep.chunkWindow);
      return {
        id,
        status: 'queued' as const,
        points: sweep.designPoints!,
        patients: sweep.patients,
        simulations: planned.total,
        reused: planned.reused,
        chunksPlanned,
        chunks,
        placing,
      };
    }
    const total = planner.distinctPoints() * sweep.patients;
    const reused = total - toSimulate;
    const chunksPlanned = plannableChunks(toSimulate, sweep.chunkSize, false);
    // An adaptive sweep whose round 0 is all reused is judged below, before it may complete.
    let status: SweepState = chunksPlanned === 0 && !adaptive ? 'completed' : 'queued';
    await client.query(
      `update sweeps set status = $2, points = $3, total = $4, reused = $5, chunks_planned = $6, points_running = $7,
                         started_at = case when $2 = ${sweepState('completed')} then now() end,
                         finished_at = case when $2 = ${sweepState('completed')} then now() end
       where id = $1`,
      [id, status, pointCount, total, reused, chunksPlanned, adaptive ? planner.distinctPoints() : null],
    );
    let chunks = await createNextChunks(client, id, sweep.chunkWindow);
    if (adaptive && chunksPlanned === 0) {
      chunks = await startNextCohortRound(client, id);
      if (chunks.length === 0) {
        status = 'completed';
        await client.query(
          `update sweeps set status = ${sweepState('completed')}, started_at = now(), finished_at = now()
           where id = $1`,
          [id],
        );
      }
    }
    return {
      id,
      status,
      points: pointCount,
      patients: sweep.patients,
      simulations: total,
      reused,
      chunksPlanned,
      chunks,
      placing,
    };
  });
}

/** What placing a batch of points needs to know of its sweep. */
export interface PlacementTarget {
  id: string;
  tenantId: string;
  modelId: string;
  cohortSeed: number;
  /** Patients per point (an adaptive cohort's round 0). */
  patients: number;
  outcomes?: OutcomeRetention;
  adaptive: boolean;
}

export type WorkPlanner = ReturnType<typeof workPlanner>;

/**
 * A placing sweep's totals so far: the distinct points placed, plus every point still to place counted
 * as new (a repeat among them lowers the total once it is placed).
 */
export function placementTotals(planner: WorkPlanner, patients: number, unplaced: number) {
  const placedTotal = planner.distinctPoints() * patients;
  return { total: placedTotal + unplaced * patients, reused: placedTotal - planner.toSimulate() };
}

/**
 * Place the next points of a sweep's design (in order) in its transaction: store the points not stored
 * yet, find the outcomes (or, for a `summary` sweep, a donor's tables) already stored for them, lay their
 * missing patients along the work sequence after those placed before (`planner`), write their
 * sweep_points rows and seed the sweep's tables with what they reuse.
 */
export async function placeBatch(
  client: pg.PoolClient,
  target: PlacementTarget,
  planner: WorkPlanner,
  points: readonly NewSweepPoint[],
): Promise<void> {
  const { pointIds, inserted } = await storePoints(client, target.modelId, points);
  // Points first seen in this sweep that were stored before: a point stored just now has no outcomes nor
  // tables anywhere, so a new design's points are never looked up.
  const reusable = [
    ...new Set(pointIds.filter((pointId) => !planner.placed(pointId) && !inserted.has(pointId))),
  ];
  const storedRows = await storedPatientRanges(client, reusable, target.cohortSeed, target.patients);
  // A summary sweep may take a point's tables whole from a donor sweep: the plan treats it as stored.
  const donors =
    target.outcomes === 'summary'
      ? await summaryDonors(client, target, reusable, storedRows)
      : new Map<number, string>();
  const stored = new Map(storedRows);
  for (const pointId of donors.keys()) stored.set(pointId, [{ start: 0, end: target.patients }]);
  const work = planner.place(pointIds, stored);
  // Arrays go as literals built here and the axis values as one JSON array: pg's array encoding escapes
  // every element with regular expressions (~1.2 µs a point over a batch's columns, bench:placement).
  await client.query(
    `insert into sweep_points (tenant_id, sweep_id, point_index, point_id, axis_values, work_start, work_patients,
                               missing_ranges, cohort_patients, cohort_rounds)
     select $5, $1, i, p, a, w, n, case when m = '' then null else string_to_array(m, ',')::int4[] end,
            $9::int4, case when $9::int4 is null then null else 1 end
     from rows from (unnest($2::int4[]), unnest($3::int4[]), jsonb_array_elements($4::jsonb), unnest($6::int8[]),
                     unnest($7::int4[]), unnest($8::text[])) as t(i, p, a, w, n, m)`,
    [
      target.id,
      arrayLiteral(points.map((p) => p.index)),
      arrayLiteral(pointIds),
      JSON.stringify(points.map((p) => p.axisValues)),
      target.tenantId,
      arrayLiteral(work.map((w) => w.workStart)),
      arrayLiteral(work.map((w) => w.workPatients)),
      textArrayLiteral(work.map((w) => flattenRanges(w.missing).join(','))),
      target.adaptive ? target.patients : null,
    ],
  );
  // The reused patients' counts into the new sweep's tables (stored rows, or a donor's tables).
  await seedReusedTallies(client, target.id, storedRows, donors);
}

/**
 * Write each batch in turn, asking for the next one as soon as the current one's first statement is
 * on its way: a producer that gives the event loop back now and then (expandSweepBatches' caller)
 * then runs while Postgres works. If a write fails the producer is stopped and its error ignored;
 * if the producer fails (an invalid point) its error is thrown once the write in flight has ended.
 */
async function writeEachWhileProducingNext<T>(batches: AsyncIterable<T>, write: (batch: T) => Promise<void>) {
  const iterator = batches[Symbol.asyncIterator]();
  // The producer may fail while a write is awaited: mark its promise handled now, it is awaited next.
  const ask = () => {
    const next = iterator.next();
    next.catch(() => {});
    return next;
  };
  let next = ask();
  for (;;) {
    const { value, done } = await next;
    if (done) return;
    const writing = write(value);
    next = ask();
    try {
      await writing;
    } catch (error) {
      await iterator.return?.(undefined).catch(() => {});
      throw error;
    }
  }
}

/** What createSweep would plan for a sweep, nothing written. */
export interface SweepPreview {
  simulations: number;
  reused: number;
  toSimulate: number;
  chunks: number;
}

/**
 * Plan a sweep as createSweep would (reuse of stored outcomes included) without writing anything:
 * points not stored yet simply have no outcomes to reuse.
 */
export async function previewSweep(
  pool: pg.Pool,
  sweep: Pick<NewSweep, 'cohortSeed' | 'patients' | 'chunkSize'> & { points: readonly NewSweepPoint[] },
): Promise<SweepPreview> {
  return inTransaction(pool, async (client) => {
    await client.query('set transaction read only');
    const hashes = sweep.points.map((p) => p.pointHash);
    const { rows } = await client.query<{ id: number; hash: string }>(
      // A join on the unnested hashes uses the hash index; `hash = any($1)` compares every row with
      // every hash (10⁵ points: minutes).
      'select p.id, p.hash from unnest($1::text[]) as h(hash) join point_rows p on p.hash = h.hash',
      [hashes],
    );
    const pointIdByHash = new Map(rows.map((r) => [r.hash, r.id]));
    // Unstored points get distinct negative ids: each is new work, a repeated one counted once.
    const newIds = new Map<string, number>();
    const pointIds = hashes.map((h) => {
      const storedId = pointIdByHash.get(h);
      if (storedId !== undefined) return storedId;
      if (!newIds.has(h)) newIds.set(h, -1 - newIds.size);
      return newIds.get(h)!;
    });
    const storedIds = [...new Set(pointIds.filter((id) => id > 0))];
    const stored = await storedPatientRanges(client, storedIds, sweep.cohortSeed, sweep.patients);
    const plan = planWork(pointIds, stored, sweep.patients);
    const simulations = new Set(pointIds).size * sweep.patients;
    return {
      simulations,
      reused: simulations - plan.toSimulate,
      toSimulate: plan.toSimulate,
      chunks: chunkCount(plan.toSimulate, sweep.chunkSize),
    };
  });
}

/** The tenant's cap error if it has its cap of active sweeps (the lock is held to the transaction's end). */
async function activeSweepCap(
  client: pg.PoolClient,
  tenantId: string,
  maxActiveSweeps: number,
): Promise<ActiveSweepCapError | undefined> {
  await client.query("select pg_advisory_xact_lock(hashtext('frontline.active-sweeps'), hashtext($1))", [
    tenantId,
  ]);
  const { rows } = await client.query<{ active: number }>(
    `select count(*)::int as active from sweeps where tenant_id = $1 and status in ${activeSweepStatesSql}`,
    [tenantId],
  );
  const active = rows[0]?.active ?? 0;
  return active >= maxActiveSweeps ? new ActiveSweepCapError(active, maxActiveSweeps) : undefined;
}

/**
 * Store the points not stored yet (content-addressed by hash); returns each point's id, in order, and the
 * ids of those this statement inserted.
 * A sweep's points share most parameters: its base (the spec's params resolved, or the batch's first point)
 * is stored once (point_bases, found by the hash of its JSON if stored before) and each point keeps only
 * those that differ from it (its axis values): a tenth of the bytes to send, and a twelfth to write and read
 * back (schema.ts).
 */
async function storePoints(client: pg.PoolClient, modelId: string, points: readonly NewSweepPoint[]) {
  const hashes = points.map((p) => p.pointHash);
  const { base, sent } = storedParams(points);
  let baseHash: string | null = null;
  if (base) {
    const baseJson = JSON.stringify(base);
    baseHash = sha256Hex(baseJson);
    // Its own statement: the points' insert below then sees a base another transaction stored meanwhile.
    await client.query(
      'insert into point_bases (hash, params) values ($1, $2::jsonb) on conflict (hash) do nothing',
      [baseHash, baseJson],
    );
  }
  // The hashes as a literal and the parameters as one JSON array, as placeBatch sends its columns.
  const { rows: inserted } = await client.query<{ id: number; hash: string }>(
    `insert into point_rows (hash, model_id, base_id, params)
     select h, $2, (select id from point_bases where hash = $4), d
     from rows from (unnest($1::text[]), jsonb_array_elements($3::jsonb)) as t(h, d)
     on conflict (hash) do nothing
     returning id, hash`,
    [textArrayLiteral(hashes), modelId, `[${sent.join(',')}]`, baseHash],
  );
  const pointIdByHash = new Map(inserted.map((r) => [r.hash, r.id]));
  const insertedIds = new Set(inserted.map((r) => r.id));
  // Only points stored before (or twice in this batch) are looked up: a new design's are all just inserted.
  const stored = [...new Set(hashes.filter((h) => !pointIdByHash.has(h)))];
  if (stored.length > 0) {
    const { rows } = await client.query<{ id: number; hash: string }>(
      // A join on the unnested hashes uses the hash index; `hash = any($1)` compares every row with
      // every hash (10⁵ points: minutes).
      'select p.id, p.hash from unnest($1::text[]) as h(hash) join point_rows p on p.hash = h.hash',
      [stored],
    );
    for (const r of rows) pointIdByHash.set(r.hash, r.id);
  }
  return { pointIds: hashes.map((h) => pointIdByHash.get(h)!), inserted: insertedIds };
}

/**
 * A batch's base (stored once) and each point's JSON as stored: its differences from the base, or all of
 * its parameters without one. Points given whole take the first one's as their base, if they all name
 * the same parameters (points of one model do); otherwise each keeps all of its own.
 */
function storedParams(points: readonly NewSweepPoint[]): {
  base: Readonly<Record<string, unknown>> | undefined;
  sent: string[];
} {
  const first = points[0];
  if (first && 'changes' in first) {
    const sent = points.map((p) => {
      if (!('changes' in p) || p.base !== first.base)
        throw new Error('the points of a batch must share one base');
      return p.changes;
    });
    return { base: first.base, sent };
  }
  const whole = points.map((p) => ('params' in p ? p.params : undefined) as Record<string, unknown>);
  const base = whole[0] ?? {};
  const keys = Object.keys(base);
  const sameKeys = (params: Record<string, unknown>) =>
    Object.keys(params).length === keys.length && keys.every((key) => Object.hasOwn(params, key));
  if (!whole.every(sameKeys)) return { base: undefined, sent: whole.map((p) => JSON.stringify(p)) };
  return { base, sent: whole.map((p) => paramChanges(p, base)) };
}

/** Per point, the ranges of patients below `patients` whose outcomes for this seed are stored, sorted. */
async function storedPatientRanges(
  client: pg.PoolClient,
  pointIds: readonly number[],
  cohortSeed: number,
  patients: number,
): Promise<Map<number, PatientRange[]>> {
  if (pointIds.length === 0) return new Map();
  // Consecutive patient indexes share (index − row number): one row per island of stored patients.
  const { rows } = await client.query<{ pointId: number; lo: number; hi: number }>(
    `select point_id as "pointId", min(patient_index) as lo, max(patient_index) as hi from (
       select point_id, patient_index,
              patient_index - row_number() over (partition by point_id order by patient_index) as island
       from outcomes where point_id = any($1::int4[]) and cohort_seed = $2 and patient_index < $3) s
     group by point_id, island order by point_id, lo`,
    [pointIds, cohortSeed, patients],
  );
  const ranges = new Map<number, PatientRange[]>();
  for (const r of rows) {
    const list = ranges.get(r.pointId) ?? [];
    list.push({ start: r.lo, end: r.hi + 1 });
    ranges.set(r.pointId, list);
  }
  return ranges;
}

/** The sweep's row, its counts zero until createSweep has placed every point (same transaction). */
async function insertSweep(client: pg.PoolClient, sweep: NewSweep & { tenantId: string }): Promise<string> {
  const { rows } = await client.query<{ id: string }>(
    `insert into sweeps (tenant_id, name, status, priority, model_id, code_version, spec, axes, reference_arm,
                         cohort_seed, patients, points, total, reused, outcomes, chunk_size, chunks_planned,
                         chunk_window, cohort_round)
     values ($1, $2, ${sweepState('queued')}, $3, $4, $5, $6, $7, $8, $9, $10, 0, 0, 0, $11, $12, 0, $13, $14)
     returning id`,
    [
      sweep.tenantId,
      sweep.name,
      sweep.priority,
      sweep.modelId,
      sweep.codeVersion,
      JSON.stringify(sweep.spec),
      JSON.stringify(sweep.axes),
      sweep.referenceArm === null ? null : JSON.stringify(sweep.referenceArm),
      sweep.cohortSeed,
      sweep.adaptiveMax ?? sweep.patients,
      sweep.outcomes ?? 'full',
      sweep.chunkSize,
      sweep.chunkWindow,
      // An adaptive sweep starts in round 0 (with every distinct point running, set once they are placed).
      sweep.adaptiveMax === undefined ? null : 0,
    ],
  );
  return rows[0]!.id;
}

/** A sweep with its progress: the row without its bookkeeping columns, plus what the chunks say. */
export interface SweepProgress
  extends Omit<
    SweepRow,
    | 'total'
    | 'reused'
    | 'cohortRound'
    | 'pointsRunning'
    | 'pointsPlaced'
    | 'workDone'
    | 'workFailed'
    | 'lastDoneAt'
  > {
  progress: {
    done: number;
    total: number;
    failed: number;
    reused: number;
    cohort?: { round: number; pointsRunning: number };
    /** While the design's points are still being placed after the reply. */
    pointsPlaced?: number;
  };
  /** Simulations per second since the sweep started (null before any chunk finished). */
  ratePerSecond: number | null;
  etaSeconds: number | null;
}

// Progress from the sweep's row alone: its chunks' work is counted as each leaves pending (schema.ts work_done).
const progressSelect = `select ${selectColumns(sweeps, 's')} from sweeps s`;

function toProgress({
  workDone: simulated,
  workFailed: failed,
  lastDoneAt,
  total,
  reused,
  cohortRound,
  pointsRunning,
  pointsPlaced,
  ...sweep
}: SweepRow): SweepProgress {
  const done = reused + simulated;
  let ratePerSecond: number | null = null;
  let etaSeconds: number | null = null;
  if (sweep.startedAt && simulated > 0) {
    const end = sweep.status === 'running' ? Date.now() : (lastDoneAt ?? new Date()).getTime();
    const seconds = Math.max((end - sweep.startedAt.getTime()) / 1000, 1e-3);
    ratePerSecond = simulated / seconds;
    if (isActiveSweepState(sweep.status)) etaSeconds = (total - done) / ratePerSecond;
  }
  if (sweep.status === 'completed') etaSeconds = 0;
  // An adaptive sweep's total grows by round: it is the patients planned so far, not points × max.
  const cohort =
    cohortRound === null ? {} : { cohort: { round: cohortRound, pointsRunning: pointsRunning ?? 0 } };
  const placing = pointsPlaced === null ? {} : { pointsPlaced };
  return {
    ...sweep,
    progress: { done, total, failed, reused, ...cohort, ...placing },
    ratePerSecond,
    etaSeconds,
  };
}

export async function getSweep(pool: pg.Pool, id: string): Promise<SweepProgress | undefined> {
  const { rows } = await pool.query<SweepRow>(`${progressSelect} where s.id = $1`, [id]);
  return rows[0] ? toProgress(rows[0]) : undefined;
}

/** Newest first; `cursor` is the id of the last sweep of the previous page. */
export async function listSweeps(
  pool: pg.Pool,
  { limit, cursor }: { limit: number; cursor?: string },
): Promise<{ items: SweepProgress[]; nextCursor: string | null }> {
  const { rows } = await pool.query<SweepRow>(
    `${progressSelect}
     where $1::uuid is null or (s.created_at, s.id) < (select created_at, id from sweeps where id = $1::uuid)
     order by s.created_at desc, s.id desc limit $2`,
    [cursor ?? null, limit + 1],
  );
  const items = rows.slice(0, limit).map(toProgress);
  return { items, nextCursor: rows.length > limit ? items[items.length - 1]!.id : null };
}

/** Mark a sweep cancelled and its pending chunks with it; returns the chunks whose jobs to remove. */
export async function cancelSweep(
  pool: pg.Pool,
  id: string,
): Promise<{ found: boolean; cancelled: boolean; chunks: ChunkRef[] }> {
  return inTransaction(pool, async (client) => {
    const { rows } = await client.query<Pick<SweepRow, 'status' | 'priority'>>(
      'select status, priority from sweeps where id = $1 for update',
      [id],
    );
    const sweep = rows[0];
    if (!sweep) return { found: false, cancelled: false, chunks: [] };
    if (!isActiveSweepState(sweep.status)) return { found: true, cancelled: false, chunks: [] };
    await client.query(
      `update sweeps set status = ${sweepState('cancelled')}, finished_at = now() where id = $1`,
      [id],
    );
    const { rows: chunkRows } = await client.query<{ chunkIndex: number }>(cancelPendingChunksSql, [id]);
    return {
      found: true,
      cancelled: true,
      chunks: chunkRows.map((r) => ({ sweepId: id, chunkIndex: r.chunkIndex, priority: sweep.priority })),
    };
  });
}

/**
 * Cancel the pending chunks of sweep $1, returning their indexes. A chunk being completed right now holds
 * its row and waits for the caller's sweep lock (completeChunk takes the sweep's row last): skipped rather
 * than deadlock; its completion then finds the sweep cancelled and neither tops up the window nor changes
 * the sweep's status. The locked indexes go in as one array (an init plan, then one primary-key scan):
 * as `chunk_index in (subquery)`, statistics taken while the sweeps were small made Postgres join them in
 * a nested loop that re-ran the locking subquery per chunk (38 s for 10,000 chunks, 0.3 s this way).
 */
export const cancelPendingChunksSql = `
  update chunks set status = ${chunkStatus('cancelled')}
  where sweep_id = $1 and chunk_index = any(array(
    select chunk_index from chunks where sweep_id = $1 and status = ${chunkStatus('pending')}
    for update skip locked))
  returning chunk_index as "chunkIndex"`;

/** Every pending chunk of every active sweep, with its tenant: what the queue must hold. */
export async function pendingChunks(pool: pg.Pool): Promise<(ChunkRef & { tenantId: string })[]> {
  // Across tenants: answered by a SECURITY DEFINER function, as row-level security hides the rest.
  const { rows } = await pool.query<ChunkRef & { tenantId: string }>(
    `select tenant_id as "tenantId", sweep_id as "sweepId", chunk_index as "chunkIndex", priority
     from frontline_pending_chunks()`,
  );
  return rows;
}

/**
 * End a queued or running sweep as failed, with the reason (e.g. the queue refused its jobs), so it
 * neither waits forever nor counts against its tenant's cap. False if it had already ended.
 */
export async function failSweep(pool: pg.Pool, id: string, reason: string): Promise<boolean> {
  const { rowCount } = await pool.query(
    `update sweeps set status = ${sweepState('failed')}, finished_at = now(), failure_reason = $2
     where id = $1 and status in ${activeSweepStatesSql}`,
    [id, reason],
  );
  return rowCount === 1;
}

/** Provenance: which worker (host:pid) ran how many of a sweep's chunks. */
export async function sweepWorkerHosts(
  pool: pg.Pool,
  sweepId: string,
): Promise<{ host: string; chunks: number }[]> {
  const { rows } = await pool.query<{ host: string; chunks: number }>(
    // Counted as each chunk left pending (chunks.ts countWorker): a row per host, not the sweep's chunks.
    'select worker_host as host, chunks from sweep_workers where sweep_id = $1 order by worker_host',
    [sweepId],
  );
  return rows;
}
