import { outcomeRow, stepDaysOf } from '@frontline/db';
import { type ModelId, type ParamsOf, simulateModelPatient } from '@frontline/sim';
import { expect } from 'vitest';
import { type Harness, sweepOutcomes } from './harness.js';

export type OutcomeRows = Awaited<ReturnType<typeof sweepOutcomes>>;

/**
 * Every stored row of a sweep equals its point's model's own output for that (point, patient), field
 * by field (v2 columns null in lf-tid@1 rows).
 */
export async function expectRowsEqualTheModel(harness: Harness, sweepId: string): Promise<OutcomeRows> {
  const rows = await sweepOutcomes(harness, sweepId);
  for (const row of rows) {
    const expected = outcomeRow(
      simulateModelPatient(row.model_id as ModelId, row.params as ParamsOf<ModelId>, {
        cohortSeed: Number(row.cohort_seed),
        patientIndex: row.patient_index,
      }),
      stepDaysOf(row.params),
    );
    expect(row).toMatchObject(expected);
  }
  return rows;
}

/** Delete a sweep's stored outcomes, so that the same sweep submitted again simulates everything. */
export async function deleteSweepOutcomes(harness: Harness, sweepId: string): Promise<void> {
  await harness.pool.query(
    `delete from outcomes o using sweep_points sp, sweeps s
     where sp.sweep_id = $1 and s.id = sp.sweep_id and o.point_id = sp.point_id and o.cohort_seed = s.cohort_seed`,
    [sweepId],
  );
}
