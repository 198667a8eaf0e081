import { bestResponses, recistResponses, survivalEndpoints } from '@frontline/contracts';
import { leaderFractionBin, unpackHistogram, unpackStepCounts } from '@frontline/db';
import { expect } from 'vitest';
import type { Harness } from './harness.js';

type Row = Record<string, unknown>;

/**
 * An endpoint's (grid step, event) columns of a raw row (times are stored as steps of the point's grid):
 * lf-tid@2 rows carry the scan-based pfs (docs/results.md).
 */
function timeAndEvent(row: Row, endpoint: string): [number, boolean] {
  if (endpoint === 'pfs' && row.scan_pfs_step !== null)
    return [row.scan_pfs_step as number, row.scan_pfs_event as boolean];
  return [row[`${endpoint}_step`] as number, row[`${endpoint}_event`] as boolean];
}

/** time → [events, censored], as sorted entries. */
function countsByTime(pairs: [number, boolean][]): [number, number, number][] {
  const counts = new Map<number, [number, number]>();
  for (const [time, event] of pairs) {
    const c = counts.get(time) ?? [0, 0];
    c[event ? 0 : 1]++;
    counts.set(time, c);
  }
  return [...counts].map(([t, [e, c]]) => [t, e, c] as [number, number, number]).sort((a, b) => a[0] - b[0]);
}

/**
 * A sweep's survival tables and point summaries hold exactly the counts of its stored rows (each patient
 * once, whatever retries, reuse or faults happened): per point and endpoint, events and censorings at
 * every recorded time; per point, the summary counts. Requires a `full` sweep whose every patient is stored.
 */
export async function expectTalliesEqualRawRows(harness: Harness, sweepId: string): Promise<void> {
  await expectProgressEqualsChunks(harness, sweepId);
  const { rows: raw } = await harness.pool.query<Row>(
    `select o.* from outcomes o join sweeps s on s.id = $1 and o.cohort_seed = s.cohort_seed and o.patient_index < s.patients
     where o.point_id in (select point_id from sweep_points where sweep_id = $1)`,
    [sweepId],
  );
  const { rows: survival } = await harness.pool.query<{
    endpoint: string;
    point_id: number;
    step_days: number;
    counts: Buffer;
  }>('select * from sweep_survival_tallies where sweep_id = $1', [sweepId]);
  const { rows: summaries } = await harness.pool.query<Row>(
    'select * from sweep_point_tallies where sweep_id = $1',
    [sweepId],
  );
  const pointIds = [...new Set(raw.map((r) => r.point_id as number))].sort((a, b) => a - b);
  expect(pointIds.length).toBeGreaterThan(0);
  expect(survival).toHaveLength(pointIds.length * survivalEndpoints.length);
  expect(summaries).toHaveLength(pointIds.length);
  for (const pointId of pointIds) {
    const rows = raw.filter((r) => r.point_id === pointId);
    for (const endpoint of survivalEndpoints) {
      const table = survival.find((t) => t.point_id === pointId && t.endpoint === endpoint)!;
      const { steps, events, censored } = unpackStepCounts(table.counts);
      const actual = [...steps].map((s, i) => [s, events[i]!, censored[i]!]);
      expect({ pointId, endpoint, counts: actual }).toEqual({
        pointId,
        endpoint,
        counts: countsByTime(rows.map((r) => timeAndEvent(r, endpoint))),
      });
    }
    const summary = summaries.find((s) => s.point_id === pointId)!;
    const v2 = rows.filter((r) => r.recist_best_response !== null);
    const dosed = v2.filter((r) => (r.cycles_received as number) > 0);
    expect(summary).toMatchObject({
      patients: rows.length,
      cured: rows.filter((r) => r.cured).length,
      best_response: bestResponses.map((_, code) => rows.filter((r) => r.best_response === code).length),
      v2_patients: v2.length,
      objective_responses: v2.filter((r) => r.objective_response).length,
      toxic_deaths: v2.filter((r) => r.toxic_death).length,
      grade4_neutropenia: v2.filter((r) => r.worst_neutropenia_grade === 4).length,
      dosed_patients: dosed.length,
      recist_best_response: recistResponses.map(
        (_, code) => rows.filter((r) => r.recist_best_response === code).length,
      ),
    });
    const leader = unpackHistogram(summary.leader_histogram as Buffer);
    const bins = new Map<number, number>();
    for (const r of rows) {
      const bin = leaderFractionBin(r.leader_fraction_at_diagnosis as number);
      bins.set(bin, (bins.get(bin) ?? 0) + 1);
    }
    const expectedBins = [...bins.keys()].sort((a, b) => a - b);
    expect({ pointId, leader }).toEqual({
      pointId,
      leader: { bins: expectedBins, counts: expectedBins.map((b) => bins.get(b)!) },
    });
  }
}

/**
 * A sweep's progress counters (sweeps.work_done, work_failed, last_done_at) and its workers' chunk counts
 * (sweep_workers) hold its chunks exactly once, whatever retries, duplicates or faults happened: equal to
 * the sums over its done and failed chunks, and to its chunks grouped by host.
 */
export async function expectProgressEqualsChunks(harness: Harness, sweepId: string): Promise<void> {
  const { rows } = await harness.pool.query<Row>(
    `select s.work_done as "workDone", s.work_failed as "workFailed", s.last_done_at as "lastDoneAt",
            coalesce((select sum(work_end - work_start) from chunks where sweep_id = s.id and status = 'done'), 0)::int8 as done,
            coalesce((select sum(work_end - work_start) from chunks where sweep_id = s.id and status = 'failed'), 0)::int8 as failed,
            (select max(finished_at) from chunks where sweep_id = s.id and status = 'done') as "lastFinished"
     from sweeps s where s.id = $1`,
    [sweepId],
  );
  const counted = rows[0]!;
  const { rows: workers } = await harness.pool.query<Row>(
    `select coalesce((select jsonb_object_agg(worker_host, chunks) from sweep_workers where sweep_id = $1), '{}') as counted,
            coalesce((select jsonb_object_agg(worker_host, n) from (
              select worker_host, count(*)::int as n from chunks where sweep_id = $1 and worker_host is not null
              group by worker_host) c), '{}') as grouped`,
    [sweepId],
  );
  expect(workers[0]!.counted).toEqual(workers[0]!.grouped);
  expect({
    workDone: counted.workDone,
    workFailed: counted.workFailed,
    lastDoneAt: counted.lastDoneAt,
  }).toEqual({
    workDone: counted.done,
    workFailed: counted.failed,
    lastDoneAt: counted.lastFinished,
  });
}
