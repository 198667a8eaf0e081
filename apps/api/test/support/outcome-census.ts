import type pg from 'pg';

/** How a sweep's stored outcomes compare with the (point, patient) grid it asked for. */
export interface OutcomeCensus {
  expected: number;
  stored: number;
  /** Expected (point, patient) pairs with no row. */
  lost: number;
  /** Rows beyond the first for a pair. */
  duplicated: number;
  /** Rows for a pair outside the grid. */
  unexpected: number;
}

/**
 * Count every outcome row stored for the sweep's points and cohort seed — with no filter on the
 * patient index, so rows beyond the cohort count as unexpected — against points × patients.
 */
export async function outcomeCensus(pool: pg.Pool, sweepId: string): Promise<OutcomeCensus> {
  const { rows: sweeps } = await pool.query<{ points: number; patients: number }>(
    'select points, patients from sweeps where id = $1',
    [sweepId],
  );
  const sweep = sweeps[0];
  if (!sweep) throw new Error(`no sweep ${sweepId}`);
  const { rows } = await pool.query<{ point_index: number; patient_index: number }>(
    `select sp.point_index, o.patient_index
     from sweep_points sp join sweeps s on s.id = sp.sweep_id
     join outcomes o on o.point_id = sp.point_id and o.cohort_seed = s.cohort_seed
     where sp.sweep_id = $1`,
    [sweepId],
  );
  const seen = new Map<string, number>();
  for (const row of rows) {
    const key = `${row.point_index}:${row.patient_index}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  let lost = 0;
  let duplicated = 0;
  for (let point = 0; point < sweep.points; point++) {
    for (let patient = 0; patient < sweep.patients; patient++) {
      const count = seen.get(`${point}:${patient}`) ?? 0;
      if (count === 0) lost++;
      else duplicated += count - 1;
    }
  }
  const inGrid = rows.filter((r) => r.point_index < sweep.points && r.patient_index < sweep.patients);
  return {
    expected: sweep.points * sweep.patients,
    stored: rows.length,
    lost,
    duplicated,
    unexpected: rows.length - inGrid.length,
  };
}
