import type pg from 'pg';
import { inTransaction } from './client.js';
import type { SweepStatus } from './schema.js';

export type Priority = 'high' | 'normal' | 'low';

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

export interface ChunkRef {
  sweepId: string;
  chunkIndex: number;
  priority: Priority;
}

export interface CreatedSweep {
  id: string;
  status: SweepStatus;
  points: number;
  patients: number;
  simulations: number;
  reused: number;
  chunks: ChunkRef[];
}

interface Range {
  start: number;
  end: number;
}

/** Patient ranges in [0, patients) not covered by the sorted, disjoint `existing` islands. */
export function missingRanges(existing: readonly Range[], patients: number): Range[] {
  const missing: Range[] = [];
  let cursor = 0;
  for (const island of existing) {
    if (island.start > cursor) missing.push({ start: cursor, end: Math.min(island.start, patients) });
    cursor = Math.max(cursor, island.end);
  }
  if (cursor < patients) missing.push({ start: cursor, end: patients });
  return missing;
}

/**
 * Write a sweep, its points and its work chunks in one transaction. Outcomes already stored for
 * the same (point, cohort seed, patient) are reused, so only missing patients become chunks.
 * With `maxActiveSweeps`, throws ActiveSweepCapError when the tenant is at its cap: the count and
 * the insert hold one lock per tenant, so concurrent submissions cannot all pass the count.
 */
export async function createSweep(pool: pg.Pool, sweep: NewSweep): Promise<CreatedSweep> {
  return inTransaction(pool, async (client) => {
    if (sweep.maxActiveSweeps !== undefined) {
      await client.query("select pg_advisory_xact_lock(hashtext('frontline.active-sweeps'), hashtext($1))", [
        sweep.tenantId ?? 'default',
      ]);
      const { rows } = await client.query<{ active: number }>(
        `select count(*)::int as active from sweeps
         where tenant_id = $1 and status in ('queued', 'running')`,
        [sweep.tenantId ?? 'default'],
      );
      const active = rows[0]?.active ?? 0;
      if (active >= sweep.maxActiveSweeps) throw new ActiveSweepCapError(active, sweep.maxActiveSweeps);
    }
    const hashes = sweep.points.map((p) => p.pointHash);
    await client.query(
      `insert into points (hash, model_id, params)
       select h, $2, p::jsonb from unnest($1::text[], $3::text[]) as t(h, p)
       on conflict (hash) do nothing`,
      [hashes, sweep.modelId, sweep.points.map((p) => JSON.stringify(p.params))],
    );
    const { rows: pointRows } = await client.query<{ id: number; hash: string }>(
      'select id, hash from points where hash = any($1::text[])',
      [hashes],
    );
    const pointIdByHash = new Map(pointRows.map((r) => [r.hash, r.id]));
    const pointIds = hashes.map((h) => pointIdByHash.get(h)!);
    const distinctPointIds = [...new Set(pointIds)].sort((a, b) => a - b);

    const { rows: islandRows } = await client.query<{ point_id: number; lo: number; hi: number }>(
      `select point_id, min(patient_index) as lo, max(patient_index) as hi from (
         select point_id, patient_index,
                patient_index - row_number() over (partition by point_id order by patient_index) as island
         from outcomes where point_id = any($1::int4[]) and cohort_seed = $2 and patient_index < $3) s
       group by point_id, island order by point_id, lo`,
      [distinctPointIds, sweep.cohortSeed, sweep.patients],
    );
    const islands = new Map<number, Range[]>();
    for (const r of islandRows) {
      const list = islands.get(r.point_id) ?? [];
      list.push({ start: r.lo, end: r.hi + 1 });
      islands.set(r.point_id, list);
    }

    const chunkPointIds: number[] = [];
    const chunkStarts: number[] = [];
    const chunkEnds: number[] = [];
    let toSimulate = 0;
    for (const pointId of distinctPointIds) {
      for (const range of missingRanges(islands.get(pointId) ?? [], sweep.patients)) {
        toSimulate += range.end - range.start;
        for (let start = range.start; start < range.end; start += sweep.chunkSize) {
          chunkPointIds.push(pointId);
          chunkStarts.push(start);
          chunkEnds.push(Math.min(start + sweep.chunkSize, range.end));
        }
      }
    }
    const total = distinctPointIds.length * sweep.patients;
    const reused = total - toSimulate;
    const status: SweepStatus = chunkPointIds.length === 0 ? 'completed' : 'queued';

    const { rows } = await client.query<{ id: string }>(
      `insert into sweeps (tenant_id, name, status, priority, model_id, code_version, spec, axes, reference_arm,
                           cohort_seed, patients, points, total, reused, started_at, finished_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14,
               case when $3 = 'completed' then now() end, case when $3 = 'completed' then now() end)
       returning id`,
      [
        sweep.tenantId ?? 'default',
        sweep.name,
        status,
        sweep.priority,
        sweep.modelId,
        sweep.codeVersion,
        JSON.stringify(sweep.spec),
        JSON.stringify(sweep.axes),
        sweep.referenceArm === null ? null : JSON.stringify(sweep.referenceArm),
        sweep.cohortSeed,
        sweep.patients,
        sweep.points.length,
        total,
        reused,
      ],
    );
    const id = rows[0]!.id;
    await client.query(
      `insert into sweep_points (tenant_id, sweep_id, point_index, point_id, axis_values)
       select $5, $1, i, p, a::jsonb from unnest($2::int4[], $3::int4[], $4::text[]) as t(i, p, a)`,
      [
        id,
        sweep.points.map((p) => p.index),
        pointIds,
        sweep.points.map((p) => JSON.stringify(p.axisValues)),
        sweep.tenantId ?? 'default',
      ],
    );
    await client.query(
      `insert into chunks (tenant_id, sweep_id, chunk_index, point_id, patient_start, patient_end)
       select $5, $1, ord - 1, p, s, e
       from unnest($2::int4[], $3::int4[], $4::int4[]) with ordinality as t(p, s, e, ord)`,
      [id, chunkPointIds, chunkStarts, chunkEnds, sweep.tenantId ?? 'default'],
    );
    return {
      id,
      status,
      points: sweep.points.length,
      patients: sweep.patients,
      simulations: total,
      reused,
      chunks: chunkPointIds.map((_, chunkIndex) => ({ sweepId: id, chunkIndex, priority: sweep.priority })),
    };
  });
}

export interface SweepProgress {
  id: string;
  tenantId: string;
  name: string;
  status: SweepStatus;
  priority: Priority;
  modelId: string;
  codeVersion: string;
  spec: unknown;
  axes: string[];
  referenceArm: Record<string, number> | null;
  cohortSeed: number;
  patients: number;
  points: number;
  failureReason: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  progress: { done: number; total: number; failed: number; reused: number };
  /** Simulations per second since the sweep started (null before any chunk finished). */
  ratePerSecond: number | null;
  etaSeconds: number | null;
}

const progressSelect = `
  select s.*,
    coalesce((select sum(c.patient_end - c.patient_start) from chunks c
              where c.sweep_id = s.id and c.status = 'done'), 0)::float8 as simulated,
    coalesce((select sum(c.patient_end - c.patient_start) from chunks c
              where c.sweep_id = s.id and c.status = 'failed'), 0)::float8 as failed,
    (select max(c.finished_at) from chunks c where c.sweep_id = s.id and c.status = 'done') as last_done_at
  from sweeps s`;

interface ProgressRow {
  id: string;
  tenant_id: string;
  name: string;
  status: SweepStatus;
  priority: Priority;
  model_id: string;
  code_version: string;
  spec: unknown;
  axes: string[];
  reference_arm: Record<string, number> | null;
  cohort_seed: number;
  patients: number;
  points: number;
  total: number;
  reused: number;
  failure_reason: string | null;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  simulated: number;
  failed: number;
  last_done_at: Date | null;
}

function toProgress(row: ProgressRow): SweepProgress {
  const done = row.reused + row.simulated;
  let ratePerSecond: number | null = null;
  let etaSeconds: number | null = null;
  if (row.started_at && row.simulated > 0) {
    const end = row.status === 'running' ? Date.now() : (row.last_done_at ?? new Date()).getTime();
    const seconds = Math.max((end - row.started_at.getTime()) / 1000, 1e-3);
    ratePerSecond = row.simulated / seconds;
    if (row.status === 'running' || row.status === 'queued') etaSeconds = (row.total - done) / ratePerSecond;
  }
  if (row.status === 'completed') etaSeconds = 0;
  return {
    id: row.id,
    tenantId: row.tenant_id,
    name: row.name,
    status: row.status,
    priority: row.priority,
    modelId: row.model_id,
    codeVersion: row.code_version,
    spec: row.spec,
    axes: row.axes,
    referenceArm: row.reference_arm,
    cohortSeed: row.cohort_seed,
    patients: row.patients,
    points: row.points,
    failureReason: row.failure_reason,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    progress: { done, total: row.total, failed: row.failed, reused: row.reused },
    ratePerSecond,
    etaSeconds,
  };
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
    const { rows } = await client.query<{ status: SweepStatus; priority: Priority }>(
      'select status, priority from sweeps where id = $1 for update',
      [id],
    );
    const sweep = rows[0];
    if (!sweep) return { found: false, cancelled: false, chunks: [] };
    if (sweep.status !== 'queued' && sweep.status !== 'running')
      return { found: true, cancelled: false, chunks: [] };
    await client.query(`update sweeps set status = 'cancelled', finished_at = now() where id = $1`, [id]);
    const { rows: chunkRows } = await client.query<{ chunk_index: number }>(
      `update chunks set status = 'cancelled' where sweep_id = $1 and status = 'pending' returning chunk_index`,
      [id],
    );
    return {
      found: true,
      cancelled: true,
      chunks: chunkRows.map((r) => ({ sweepId: id, chunkIndex: r.chunk_index, priority: sweep.priority })),
    };
  });
}

/** Every pending chunk of every active sweep, with its tenant: what the queue must hold. */
export async function pendingChunks(pool: pg.Pool): Promise<(ChunkRef & { tenantId: string })[]> {
  // Across tenants: answered by a SECURITY DEFINER function, as row-level security hides the rest.
  const { rows } = await pool.query<{
    tenant_id: string;
    sweep_id: string;
    chunk_index: number;
    priority: Priority;
  }>('select tenant_id, sweep_id, chunk_index, priority from frontline_pending_chunks()');
  return rows.map((r) => ({
    tenantId: r.tenant_id,
    sweepId: r.sweep_id,
    chunkIndex: r.chunk_index,
    priority: r.priority,
  }));
}

/**
 * End a queued or running sweep as failed, with the reason (e.g. the queue refused its jobs), so it
 * neither waits forever nor counts against its tenant's cap. False if it had already ended.
 */
export async function failSweep(pool: pg.Pool, id: string, reason: string): Promise<boolean> {
  const { rowCount } = await pool.query(
    `update sweeps set status = 'failed', finished_at = now(), failure_reason = $2
     where id = $1 and status in ('queued', 'running')`,
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
