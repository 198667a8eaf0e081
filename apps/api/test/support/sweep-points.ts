/** What the submission tests check a sweep's placed points against (submit-batches, place-after-reply). */
import type { PatientRange } from '@frontline/db';
import { planWork } from '@frontline/db';
import type { Harness } from './harness.js';

/** A Latin hypercube of `samples` points over two axes: more points than one write batch (1,000). */
export const sampledSpec = (samples: number, seed: number, patients = 3, chunkSize = 7) => ({
  name: `batches ${seed}`,
  design: {
    kind: 'lhs',
    samples,
    seed,
    axes: { dose: { min: 0, max: 10 }, immuneKill: { min: 0.01, max: 0.2 } },
  },
  cohort: { patients, seed: 77, chunkSize },
  params: { horizonDays: 120 },
});

export interface SweepPointRow {
  point_index: number;
  point_id: number;
  axis_values: Record<string, number>;
  work_start: number | null;
  work_patients: number;
  missing_ranges: number[] | null;
}

/** Outcome rows (any values) for patients of a point: what a finished chunk would have stored. */
export async function storeOutcomes(
  harness: Harness,
  pointId: number,
  cohortSeed: number,
  patients: number[],
) {
  await harness.pool.query(
    `insert into outcomes (point_id, cohort_seed, patient_index, os_step, os_event, pfs_step, pfs_event, mfs_step,
                           mfs_event, best_response, nadir_cells, nadir_day, leader_fraction_at_diagnosis,
                           leader_fraction_at_nadir, leader_fraction_at_end, metastatic_cells_at_diagnosis,
                           seeding_events, cured, min_effector, redraws, sampled_growth_rate,
                           sampled_diagnosis_cells, sampled_emt_plasticity, sampled_elimination_rate,
                           sampled_max_drug_kill, sampled_immune_kill)
     select $1, $2, i, 40, true, 20, true, 60, false, 1, 1e6, 10, 0.1, 0.2, 0.3, 0, 0, false, 0.5, 0,
            0.02, 1e9, 1, 0.1, 0.5, 0.05
     from unnest($3::int4[]) as i`,
    [pointId, cohortSeed, patients],
  );
}

export async function sweepPointRows(harness: Harness, sweepId: string): Promise<SweepPointRow[]> {
  const { rows } = await harness.pool.query<SweepPointRow>(
    `select point_index, point_id, axis_values, work_start, work_patients, missing_ranges
     from sweep_points where sweep_id = $1 order by point_index`,
    [sweepId],
  );
  return rows;
}

/** The rows one plan of all the points at once gives (chunk-plan's planWork), for comparison. */
export function plannedRows(
  pointIds: number[],
  axisValues: Record<string, number>[],
  stored: Map<number, PatientRange[]>,
  patients: number,
) {
  const plan = planWork(pointIds, stored, patients);
  const rows = plan.points.map((w, i) => ({
    point_index: i,
    point_id: pointIds[i]!,
    axis_values: axisValues[i]!,
    work_start: w.workStart,
    work_patients: w.workPatients,
    missing_ranges: w.missing.length === 0 ? null : w.missing.flatMap((r) => [r.start, r.end]),
  }));
  return { rows, toSimulate: plan.toSimulate };
}

/** 1,501 growth rates × 2 plasticities: only growthRate 0.0015 with emtPlasticity 10 breaks a rule, past the first batch. */
export const lateInvalidSpec = () => ({
  name: 'invalid late point',
  design: {
    kind: 'grid',
    axes: {
      growthRate: [...Array.from({ length: 1_500 }, (_, i) => 0.025 + i * 1e-6), 0.0015],
      emtPlasticity: [1, 10],
    },
  },
  cohort: { patients: 2, seed: 3 },
});
