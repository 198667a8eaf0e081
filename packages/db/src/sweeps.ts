import {
  isActiveSweepState,
  type OutcomeRetention,
  type Priority,
  type SweepState,
} from '@frontline/contracts';
import type { ChunkRef } from '@frontline/queue';
import type pg from 'pg';
import { type PatientRange, planChunks } from './chunk-plan.js';
import { inTransaction } from './client.js';
import { type SweepRow, sweeps } from './schema.js';
import { activeSweepStatesSql, chunkStatus, selectColumns, sweepState } from './sql-vocabulary.js';
import { seedReusedTallies, summaryDonors } from './tallies/reuse.js';

export type { ChunkRef };

/** The advisory lock between reusing stored outcomes and deleting unreferenced ones (migration 0006). */
const outcomeReuseLock = 'frontline.outcome-reuse';

export interface NewSweepPoint {
  index: number;
  axisValues: Record<string, number>;
  params: unknown;
  pointHash: string;
}

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
  patients: number;
  chunkSize: number;
  /** What the sweep keeps of its outcomes; `full` if not given. */
  outcomes?: OutcomeRetention;
  points: NewSweepPoint[];
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
  chunks: ChunkRef[];
}

/**
 * Write a sweep, its points and its work chunks in one transaction. Outcomes already stored for
 * the same (point, cohort seed, patient) are reused, so only missing patients become chunks.
 * With `maxActiveSweeps`, throws ActiveSweepCapError when the tenant is at its cap: the count and
 * the insert hold one lock per tenant, so concurrent submissions cannot all pass the count.
 */
export async function createSweep(pool: pg.Pool, sweep: NewSweep): Promise<CreatedSweep> {
  const tenantId = sweep.tenantId ?? 'default';
  return inTransaction(pool, async (client) => {
    if (sweep.maxActiveSweeps !== undefined)
      await checkActiveSweepCap(client, tenantId, sweep.maxActiveSweeps);
    const pointIds = await storePoints(client, sweep.modelId, sweep.points);
    const distinctPointIds = [...new Set(pointIds)].sort((a, b) => a - b);
    // Shared with deleteSweep's exclusive lock: outcomes counted as reused are not being removed.
    await client.query(`select pg_advisory_xact_lock_shared(hashtext('${outcomeReuseLock}'))`);
    const storedRows = await storedPatientRanges(client, distinctPointIds, sweep.cohortSeed, sweep.patients);
    // tallies: storage branch — a summary sweep may take a point's tables whole from a donor sweep
    const donors =
      sweep.outcomes === 'summary'
        ? await summaryDonors(client, sweep, distinctPointIds, storedRows)
        : new Map();
    const stored = new Map(storedRows);
    for (const pointId of donors.keys()) stored.set(pointId, [{ start: 0, end: sweep.patients }]);
    const plan = planChunks(distinctPointIds, stored, sweep.patients, sweep.chunkSize);
    const total = distinctPointIds.length * sweep.patients;
    const reused = total - plan.toSimulate;
    const status: SweepState = plan.chunks.length === 0 ? 'completed' : 'queued';

    const id = await insertSweep(client, { ...sweep, tenantId, status, total, reused });
    await client.query(
      `insert into sweep_points (tenant_id, sweep_id, point_index, point_id, axis_values)
       select $5, $1, i, p, a::jsonb from unnest($2::int4[], $3::int4[], $4::text[]) as t(i, p, a)`,
      [
        id,
        sweep.points.map((p) => p.index),
        pointIds,
        sweep.points.map((p) => JSON.stringify(p.axisValues)),
        tenantId,
      ],
    );
    // tallies: storage branch — the reused patients' counts into the new sweep's tables
    await seedReusedTallies(client, id, storedRows, donors);
    await client.query(
      `insert into chunks (tenant_id, sweep_id, chunk_index, point_id, patient_start, patient_end)
       select $5, $1, ord - 1, p, s, e
       from unnest($2::int4[], $3::int4[], $4::int4[]) with ordinality as t(p, s, e, ord)`,
      [
        id,
        plan.chunks.map((c) => c.pointId),
        plan.chunks.map((c) => c.patientStart),
        plan.chunks.map((c) => c.patientEnd),
        tenantId,
      ],
    );
    return {
      id,
      status,
      points: sweep.points.length,
      patients: sweep.patients,
      simulations: total,
      reused,
      chunks: plan.chunks.map((_, chunkIndex) => ({ sweepId: id, chunkIndex, priority: sweep.priority })),
    };
  });
}

async function checkActiveSweepCap(client: pg.PoolClient, tenantId: string, maxActiveSweeps: number) {
  await client.query("select pg_advisory_xact_lock(hashtext('frontline.active-sweeps'), hashtext($1))", [
    tenantId,
  ]);
  const { rows } = await client.query<{ active: number }>(
    `select count(*)::int as active from sweeps where tenant_id = $1 and status in ${activeSweepStatesSql}`,
    [tenantId],
  );
  const active = rows[0]?.active ?? 0;
  if (active >= maxActiveSweeps) throw new ActiveSweepCapError(active, maxActiveSweeps);
}

/** Store the points not stored yet (content-addressed by hash); returns each point's id, in order. */
async function storePoints(client: pg.PoolClient, modelId: string, points: readonly NewSweepPoint[]) {
  const hashes = points.map((p) => p.pointHash);
  await client.query(
    `insert into points (hash, model_id, params)
     select h, $2, p::jsonb from unnest($1::text[], $3::text[]) as t(h, p)
     on conflict (hash) do nothing`,
    [hashes, modelId, points.map((p) => JSON.stringify(p.params))],
  );
  const { rows } = await client.query<{ id: number; hash: string }>(
    'select id, hash from points where hash = any($1::text[])',
    [hashes],
  );
  const pointIdByHash = new Map(rows.map((r) => [r.hash, r.id]));
  return hashes.map((h) => pointIdByHash.get(h)!);
}

/** Per point, the ranges of patients below `patients` whose outcomes for this seed are stored, sorted. */
async function storedPatientRanges(
  client: pg.PoolClient,
  pointIds: readonly number[],
  cohortSeed: number,
  patients: number,
): Promise<Map<number, PatientRange[]>> {
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

async function insertSweep(
  client: pg.PoolClient,
  sweep: NewSweep & { tenantId: string; status: SweepState; total: number; reused: number },
): Promise<string> {
  const { rows } = await client.query<{ id: string }>(
    `insert into sweeps (tenant_id, name, status, priority, model_id, code_version, spec, axes, reference_arm,
                         cohort_seed, patients, points, total, reused, outcomes, started_at, finished_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15,
             case when $3 = ${sweepState('completed')} then now() end,
             case when $3 = ${sweepState('completed')} then now() end)
     returning id`,
    [
      sweep.tenantId,
      sweep.name,
      sweep.status,
      sweep.priority,
      sweep.modelId,
      sweep.codeVersion,
      JSON.stringify(sweep.spec),
      JSON.stringify(sweep.axes),
      sweep.referenceArm === null ? null : JSON.stringify(sweep.referenceArm),
      sweep.cohortSeed,
      sweep.patients,
      sweep.points.length,
      sweep.total,
      sweep.reused,
      sweep.outcomes ?? 'full',
    ],
  );
  return rows[0]!.id;
}

/** A sweep with its progress: the row without its bookkeeping columns, plus what the chunks say. */
export interface SweepProgress extends Omit<SweepRow, 'total' | 'reused'> {
  progress: { done: number; total: number; failed: number; reused: number };
  /** Simulations per second since the sweep started (null before any chunk finished). */
  ratePerSecond: number | null;
  etaSeconds: number | null;
}

interface ProgressRow extends SweepRow {
  /** Patients of chunks done (reused ones excluded). */
  simulated: number;
  failed: number;
  lastDoneAt: Date | null;
}

const patientsOfChunks = (status: 'done' | 'failed') =>
  `coalesce((select sum(c.patient_end - c.patient_start) from chunks c
             where c.sweep_id = s.id and c.status = ${chunkStatus(status)}), 0)::float8`;

const progressSelect = `
  select ${selectColumns(sweeps, 's')},
    ${patientsOfChunks('done')} as simulated,
    ${patientsOfChunks('failed')} as failed,
    (select max(c.finished_at) from chunks c
     where c.sweep_id = s.id and c.status = ${chunkStatus('done')}) as "lastDoneAt"
  from sweeps s`;

function toProgress({ simulated, failed, lastDoneAt, total, reused, ...sweep }: ProgressRow): SweepProgress {
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
  return { ...sweep, progress: { done, total, failed, reused }, ratePerSecond, etaSeconds };
}

export async function getSweep(pool: pg.Pool, id: string): Promise<SweepProgress | undefined> {
  const { rows } = await pool.query<ProgressRow>(`${progressSelect} where s.id = $1`, [id]);
  return rows[0] ? toProgress(rows[0]) : undefined;
}

/** Newest first; `cursor` is the id of the last sweep of the previous page. */
export async function listSweeps(
  pool: pg.Pool,
  { limit, cursor }: { limit: number; cursor?: string },
): Promise<{ items: SweepProgress[]; nextCursor: string | null }> {
  const { rows } = await pool.query<ProgressRow>(
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
    const { rows: chunkRows } = await client.query<{ chunkIndex: number }>(
      `update chunks set status = ${chunkStatus('cancelled')}
       where sweep_id = $1 and status = ${chunkStatus('pending')} returning chunk_index as "chunkIndex"`,
      [id],
    );
    return {
      found: true,
      cancelled: true,
      chunks: chunkRows.map((r) => ({ sweepId: id, chunkIndex: r.chunkIndex, priority: sweep.priority })),
    };
  });
}

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
    `select worker_host as host, count(*)::int as chunks from chunks
     where sweep_id = $1 and worker_host is not null group by worker_host order by worker_host`,
    [sweepId],
  );
  return rows;
}
