/**
 * Reuse at submit: the patients a new sweep does not simulate come into its tables here, in the
 * transaction that creates it. Rule (docs/results.md, "Reuse"):
 * - stored per-patient rows (left by `full` sweeps of any retention) are reused by both modes, their
 *   counts aggregated in SQL (`frontline_tally_stored_outcomes`, migrations 0008, 0011: packed, 0013: read from grid
 *   steps, 0018: one row a point);
 * - a `summary` sweep may also copy a point's tables whole from a donor: a sweep of the same tenant with
 *   the same point, cohort seed and patients whose tables hold every patient of the point; used when the
 *   stored rows do not already cover the point;
 * - a `full` sweep never takes a donor's tables: it must store every row, so it simulates what no row holds.
 */
import type pg from 'pg';
import type { PatientRange } from '../chunk-plan.js';

/**
 * For a `summary` sweep: per point not fully covered by `storedRows`, a donor sweep whose tables hold
 * all `patients` of it for `cohortSeed` (the oldest such sweep).
 */
export async function summaryDonors(
  client: pg.ClientBase,
  sweep: { cohortSeed: number; patients: number },
  pointIds: readonly number[],
  storedRows: ReadonlyMap<number, readonly PatientRange[]>,
): Promise<Map<number, string>> {
  const covered = (ranges: readonly PatientRange[] | undefined) =>
    ranges?.length === 1 && ranges[0]!.start === 0 && ranges[0]!.end >= sweep.patients;
  const uncovered = pointIds.filter((id) => !covered(storedRows.get(id)));
  if (uncovered.length === 0) return new Map();
  const { rows } = await client.query<{ pointId: number; sweepId: string }>(donorQuery, [
    uncovered,
    sweep.cohortSeed,
    sweep.patients,
  ]);
  return new Map(rows.map((r) => [r.pointId, r.sweepId]));
}

/**
 * Per point ($1), the oldest sweep with cohort seed $2 and $3 patients whose tables hold all $3 of it. Found
 * through the sweeps that have the point (sweep_points by point id), then their tables by key: a few index
 * reads a point, however many sweeps are stored. The tables' key starts with the sweep, so asking them by
 * point alone made Postgres search the key once per stored sweep (a skip scan): 1,000 new points against
 * 20,000 stored sweeps took ~180 ms, this ~2 ms (docs/benchmarks.md).
 */
export const donorQuery = `
  select d.point_id as "pointId", d.sweep_id as "sweepId"
  from unnest($1::int4[]) as u(point_id)
  cross join lateral (
    select sp.point_id, sp.sweep_id
    from sweep_points sp
    join sweeps s on s.id = sp.sweep_id
    join sweep_point_tallies pt on pt.sweep_id = sp.sweep_id and pt.point_id = sp.point_id
    where sp.point_id = u.point_id and s.cohort_seed = $2 and s.patients = $3 and pt.patients = $3
    order by s.created_at, s.id
    limit 1) d`;

/**
 * Seed a new sweep's tables with what it reuses: the counts of the stored rows of `storedRows` (per
 * point, sorted disjoint patient ranges, as planned) and, for `donors`' points, the donor's tables.
 * Call after the sweep's row exists, in its creating transaction.
 */
export async function seedReusedTallies(
  client: pg.ClientBase,
  sweepId: string,
  storedRows: ReadonlyMap<number, readonly PatientRange[]>,
  donors: ReadonlyMap<number, string> = new Map(),
): Promise<void> {
  const ranges = [...storedRows].flatMap(([pointId, list]) =>
    donors.has(pointId) ? [] : list.map((r) => ({ pointId, ...r })),
  );
  if (ranges.length > 0)
    await client.query('select frontline_tally_stored_outcomes($1, $2::int4[], $3::int4[], $4::int4[])', [
      sweepId,
      ranges.map((r) => r.pointId),
      ranges.map((r) => r.start),
      ranges.map((r) => r.end),
    ]);
  if (donors.size === 0) return;
  const params = [sweepId, [...donors.keys()], [...donors.values()]];
  const donorRows = `from unnest($2::int4[], $3::uuid[]) as d(point_id, sweep_id)`;
  await client.query(
    `insert into sweep_point_tallies (tenant_id, sweep_id, point_id, patients, cured, best_response,
       leader_histogram, v2_patients, objective_responses, toxic_deaths, grade4_neutropenia, dosed_patients,
       dose_intensity_sum, recist_best_response, step_days, os_counts, pfs_counts, mfs_counts)
     select s.tenant_id, s.id, t.point_id, t.patients, t.cured, t.best_response, t.leader_histogram,
            t.v2_patients, t.objective_responses, t.toxic_deaths, t.grade4_neutropenia, t.dosed_patients,
            t.dose_intensity_sum, t.recist_best_response, t.step_days, t.os_counts, t.pfs_counts, t.mfs_counts
     ${donorRows} join sweep_point_tallies t on t.sweep_id = d.sweep_id and t.point_id = d.point_id
     join sweeps s on s.id = $1`,
    params,
  );
}
