/** Per-point views of a sweep: the points' axis values and aggregates of their outcomes so far. */
import { type BestResponse, bestResponses } from '@frontline/contracts';
import type pg from 'pg';
import type { SweepPointRow } from '../schema.js';
import { everyPoint, type PointRange, type SweepScope } from './sweep-scope.js';

export type SweepPointAxes = Pick<SweepPointRow, 'pointIndex' | 'pointId' | 'axisValues'>;

/** The points of a sweep in design order, with their axis values (those of `range` only, if given). */
export async function sweepPointAxes(
  pool: pg.Pool,
  sweepId: string,
  range: PointRange = everyPoint,
): Promise<SweepPointAxes[]> {
  const { rows } = await pool.query<SweepPointAxes>(
    `select point_index as "pointIndex", point_id as "pointId", axis_values as "axisValues" from sweep_points
     where sweep_id = $1 and point_index >= $2 order by point_index limit $3`,
    [sweepId, range.offset, range.limit],
  );
  return rows;
}

export interface PointSummary {
  pointIndex: number;
  patients: number;
  /** Fraction of patients whose tumour went extinct; null before any outcome. */
  curedFraction: number | null;
  medianLeaderFractionAtDiagnosis: number | null;
  bestResponse: Record<BestResponse, number>;
}

type PointSummaryRow = Omit<PointSummary, 'bestResponse'> & Record<BestResponse, number>;

// One count per best response, its stored code being its position in the vocabulary.
const bestResponseCounts = bestResponses
  .map((name, code) => `count(*) filter (where o.best_response = ${code})::int4 as "${name}"`)
  .join(',\n              ');

/** Per-point aggregates over the patients stored so far, in design order. */
export async function pointSummaries(
  pool: pg.Pool,
  scope: SweepScope,
  range: PointRange = everyPoint,
): Promise<PointSummary[]> {
  const { rows } = await pool.query<PointSummaryRow>(
    // Aggregated point by point (a range of the primary key each): no sort of the sweep's outcomes.
    `select sp.point_index as "pointIndex", agg.*
     from sweep_points sp cross join lateral (
       select count(*)::int4 as patients,
              avg(o.cured::int4)::float8 as "curedFraction",
              percentile_cont(0.5) within group (order by o.leader_fraction_at_diagnosis)
                as "medianLeaderFractionAtDiagnosis",
              ${bestResponseCounts}
       from outcomes o
       where o.point_id = sp.point_id and o.cohort_seed = $2 and o.patient_index < $3) agg
     where sp.sweep_id = $1 and sp.point_index >= $4
     order by sp.point_index limit $5`,
    [scope.sweepId, scope.cohortSeed, scope.patients, range.offset, range.limit],
  );
  return rows.map((r) => ({
    pointIndex: r.pointIndex,
    patients: r.patients,
    curedFraction: r.curedFraction,
    medianLeaderFractionAtDiagnosis: r.medianLeaderFractionAtDiagnosis,
    bestResponse: Object.fromEntries(bestResponses.map((name) => [name, r[name]])) as Record<
      BestResponse,
      number
    >,
  }));
}
