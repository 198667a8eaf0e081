/** Per-point views of a sweep: the points' axis values and aggregates of their outcomes so far. */
import { type BestResponse, bestResponses, type RecistResponse, recistResponses } from '@frontline/contracts';
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
  /** lf-tid@2's trial outputs: null at a point without v2 outcomes (an lf-tid@1 sweep, or none yet). */
  trial: TrialSummary | null;
}

/** Per-point aggregates of lf-tid@2's outputs (docs/model-v2.md §6). */
export interface TrialSummary {
  objectiveResponseRate: number;
  toxicDeaths: number;
  toxicDeathFraction: number;
  /** Over the patients given at least one dose; null if none was. */
  meanDoseIntensity: number | null;
  grade4NeutropeniaRate: number;
  recistBestResponse: Record<RecistResponse, number>;
}

type PointSummaryRow = Omit<PointSummary, 'bestResponse' | 'trial'> &
  Record<BestResponse, number> &
  Omit<TrialSummary, 'recistBestResponse'> &
  Record<`recist${RecistResponse}`, number> & { v2Patients: number };

// One count per best response, its stored code being its position in the vocabulary.
const responseCounts = (names: readonly string[], column: string, alias: (name: string) => string) =>
  names
    .map((name, code) => `count(*) filter (where o.${column} = ${code})::int4 as "${alias(name)}"`)
    .join(',\n              ');
const bestResponseCounts = responseCounts(bestResponses, 'best_response', (name) => name);
const recistResponseCounts = responseCounts(
  recistResponses,
  'recist_best_response',
  (name) => `recist${name}`,
);

/** Per-point aggregates over the patients stored so far, in design order. */
export async function pointSummaries(
  pool: pg.Pool,
  scope: SweepScope,
  range: PointRange = everyPoint,
): Promise<PointSummary[]> {
  const { rows } = await pool.query<PointSummaryRow>(
    // Aggregated point by point (a range of the primary key each): no sort of the sweep's outcomes.
    // v2 columns are null in v1 rows, so v2Patients counts the outcomes the trial fields are over.
    `select sp.point_index as "pointIndex", agg.*
     from sweep_points sp cross join lateral (
       select count(*)::int4 as patients,
              avg(o.cured::int4)::float8 as "curedFraction",
              percentile_cont(0.5) within group (order by o.leader_fraction_at_diagnosis)
                as "medianLeaderFractionAtDiagnosis",
              ${bestResponseCounts},
              count(o.recist_best_response)::int4 as "v2Patients",
              avg(o.objective_response::int4)::float8 as "objectiveResponseRate",
              (count(*) filter (where o.toxic_death))::int4 as "toxicDeaths",
              avg(o.toxic_death::int4)::float8 as "toxicDeathFraction",
              -- Summed as numeric (exact): a float8 sum depends on the order Postgres adds the rows in,
              -- so the same sweep could answer different last digits from one request to the next.
              (avg(o.relative_dose_intensity::numeric) filter (where o.cycles_received > 0))::float8 as "meanDoseIntensity",
              avg((o.worst_neutropenia_grade = 4)::int4)::float8 as "grade4NeutropeniaRate",
              ${recistResponseCounts}
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
    trial:
      r.v2Patients === 0
        ? null
        : {
            objectiveResponseRate: r.objectiveResponseRate,
            toxicDeaths: r.toxicDeaths,
            toxicDeathFraction: r.toxicDeathFraction,
            meanDoseIntensity: r.meanDoseIntensity,
            grade4NeutropeniaRate: r.grade4NeutropeniaRate,
            recistBestResponse: Object.fromEntries(
              recistResponses.map((name) => [name, r[`recist${name}`]]),
            ) as Record<RecistResponse, number>,
          },
  }));
}
