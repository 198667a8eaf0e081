import { randomBytes, randomUUID } from 'node:crypto';
import type pg from 'pg';

export interface SeededSweep {
  id: string;
  points: number;
  patients: number;
}

/**
 * A completed sweep of `tenantId` with synthetic outcomes written straight into Postgres (the owner's
 * pool) with generate_series: tens of thousands of outcomes in well under a second, where running the
 * model would take minutes. Death times are log-normal around a dose-dependent median, censored at 730 d,
 * recorded on the 0.25-day grid as the workers record them (docs/results.md), so nearly every grid step
 * holds an event (the worst case for the survival endpoints). The sweep's survival tables are then
 * built from the rows by the SQL that seeds reused patients at submit.
 */
export async function seedSweep(
  pool: pg.Pool,
  options: {
    tenantId: string;
    axisValues: Record<string, number>[];
    patients: number;
    referenceArm?: Record<string, number> | null;
    name?: string;
  },
): Promise<SeededSweep> {
  const id = randomUUID();
  const cohortSeed = randomBytes(3).readUIntBE(0, 3);
  const { axisValues, patients } = options;
  const axes = Object.keys(axisValues[0] ?? {});
  await pool.query(
    `insert into sweeps (id, tenant_id, name, status, priority, model_id, code_version, spec, axes, reference_arm,
                         cohort_seed, patients, points, total, reused, started_at, finished_at)
     values ($1, $2, $3, 'completed', 'normal', 'seeded', 'seeded', $4, $5, $6, $7, $8, $9, $10, 0, now(), now())`,
    [
      id,
      options.tenantId,
      options.name ?? `seeded ${axisValues.length} × ${patients}`,
      JSON.stringify({ params: { horizonDays: 730 } }),
      JSON.stringify(axes),
      JSON.stringify(options.referenceArm ?? null),
      cohortSeed,
      patients,
      axisValues.length,
      axisValues.length * patients,
    ],
  );
  const { rows } = await pool.query<{ id: number }>(
    `insert into point_rows (hash, model_id, params)
     select $1 || '-' || i, 'seeded', jsonb_build_object('stepDays', 0.25) || a::jsonb
     from unnest($2::text[]) with ordinality as t(a, i) returning id`,
    [id, axisValues.map((a) => JSON.stringify(a))],
  );
  await pool.query(
    `insert into sweep_points (sweep_id, tenant_id, point_index, point_id, axis_values)
     select $1, $2, i - 1, p, a::jsonb from unnest($3::int4[], $4::text[]) with ordinality as t(p, a, i)`,
    [id, options.tenantId, rows.map((r) => r.id), axisValues.map((a) => JSON.stringify(a))],
  );
  await pool.query(
    `insert into outcomes (point_id, cohort_seed, patient_index, os_step, os_event, pfs_step, pfs_event, mfs_step, mfs_event, best_response,
       nadir_cells, nadir_day, leader_fraction_at_diagnosis, leader_fraction_at_nadir, leader_fraction_at_end,
       metastatic_cells_at_diagnosis, seeding_events, cured, min_effector, redraws, sampled_growth_rate,
       sampled_diagnosis_cells, sampled_emt_plasticity, sampled_elimination_rate, sampled_max_drug_kill,
       sampled_immune_kill)
     select point_id, $1, k,
            least(2920, ceil(t * 4)), t < 730, least(2920, ceil(t * u * 4)), t * u < 730,
            least(2920, ceil(t * 0.9 * 4)), t * 0.9 < 730,
            (k % 4)::int2, 1e8, 30, u * 0.2, 0.1, 0.2, 1e3, 0, t >= 730 and u < 0.3, 2.5, 0,
            0.025, 6.5e9, 1, 0.9, 0.9, 0.035
     from (select sp.point_id, k, u,
                  300 * (1 + 0.3 * coalesce((sp.axis_values ->> 'dose')::float8, 0))
                      * exp(0.6 * sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random())) as t
           from sweep_points sp, generate_series(0, $2 - 1) k, lateral (select random() + 0 * k as u) r
           where sp.sweep_id = $3) x`,
    [cohortSeed, patients, id],
  );
  await pool.query(
    `select frontline_tally_stored_outcomes($1, array_agg(point_id), array_fill(0, array[count(*)::int4]),
                                            array_fill($2::int4, array[count(*)::int4]))
     from sweep_points where sweep_id = $1`,
    [id, patients],
  );
  await pool.query('analyze outcomes');
  return { id, points: axisValues.length, patients };
}

/** A grid: every combination of the axes' values, in design order (last axis fastest). */
export function gridAxisValues(axes: Record<string, number[]>): Record<string, number>[] {
  return Object.entries(axes).reduce<Record<string, number>[]>(
    (combos, [axis, values]) => combos.flatMap((c) => values.map((v) => ({ ...c, [axis]: v }))),
    [{}],
  );
}

/** A sampled design: `n` points with continuous, all-distinct values of each axis. */
export function sampledAxisValues(n: number, axes: string[]): Record<string, number>[] {
  return Array.from({ length: n }, (_, i) =>
    Object.fromEntries(
      axes.map((axis, a) => [axis, Number((((i * (2 * a + 7919)) % n) / n + 0.5 / n).toFixed(8))]),
    ),
  );
}
