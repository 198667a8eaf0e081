/** Per-point views of a sweep: the points' axis values and aggregates of their outcomes so far. */
import { type BestResponse, bestResponses, type RecistResponse, recistResponses } from '@frontline/contracts';
import type pg from 'pg';
import type { SweepPointRow } from '../schema.js';
import { histogramMedian } from '../tallies/chunk-tally.js';
import { unpackHistogram } from '../tallies/packed-counts.js';
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
  /** An adaptive cohort's rounds at this point; null for a fixed cohort. */
  cohort: PointCohort | null;
}

/** An adaptive cohort's state at one point (sweep_points, written by the round decisions). */
export interface PointCohort {
  rounds: number;
  halfWidth: number | null;
  stop: 'precise' | 'max' | null;
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

interface PointTallyRow {
  pointIndex: number;
  patients: number | null;
  cured: number;
  bestResponse: number[];
  leaderHistogram: Buffer | null;
  v2Patients: number;
  objectiveResponses: number;
  toxicDeaths: number;
  grade4Neutropenia: number;
  dosedPatients: number;
  meanDoseIntensity: number | null;
  recistBestResponse: number[];
  cohortRounds: number | null;
  halfWidth: number | null;
  cohortStop: 'precise' | 'max' | null;
}

/**
 * Per-point aggregates over the patients counted so far, in design order, from the sweep's point
 * summaries (kept at ingest: O(points), whatever the cohort size). The median leader fraction comes
 * from the summary's histogram: within one bin width (0.001) of the exact median (docs/results.md).
 */
export async function pointSummaries(
  pool: pg.Pool,
  scope: SweepScope,
  range: PointRange = everyPoint,
): Promise<PointSummary[]> {
  const { rows } = await pool.query<PointTallyRow>(
    // Mean dose intensity: the exact numeric sum over the count, so every request answers the same digits.
    `select sp.point_index as "pointIndex", t.patients, t.cured, t.best_response as "bestResponse",
            t.leader_histogram as "leaderHistogram", t.v2_patients as "v2Patients",
            t.objective_responses as "objectiveResponses", t.toxic_deaths as "toxicDeaths",
            t.grade4_neutropenia as "grade4Neutropenia", t.dosed_patients as "dosedPatients",
            (t.dose_intensity_sum / nullif(t.dosed_patients, 0))::float8 as "meanDoseIntensity",
            t.recist_best_response as "recistBestResponse", sp.cohort_rounds as "cohortRounds",
            sp.half_width as "halfWidth", sp.cohort_stop as "cohortStop"
     from sweep_points sp
     left join sweep_point_tallies t on t.sweep_id = sp.sweep_id and t.point_id = sp.point_id
     where sp.sweep_id = $1 and sp.point_index >= $2
     order by sp.point_index limit $3`,
    [scope.sweepId, range.offset, range.limit],
  );
  return rows.map((r) => {
    const patients = r.patients ?? 0;
    const leader = r.leaderHistogram ? unpackHistogram(r.leaderHistogram) : { bins: [], counts: [] };
    return {
      pointIndex: r.pointIndex,
      patients,
      cohort:
        r.cohortRounds === null
          ? null
          : { rounds: r.cohortRounds, halfWidth: r.halfWidth, stop: r.cohortStop },
      curedFraction: patients === 0 ? null : r.cured / patients,
      medianLeaderFractionAtDiagnosis: patients === 0 ? null : histogramMedian(leader.bins, leader.counts),
      bestResponse: Object.fromEntries(
        bestResponses.map((name, code) => [name, patients === 0 ? 0 : r.bestResponse[code]!]),
      ) as Record<BestResponse, number>,
      trial:
        patients === 0 || r.v2Patients === 0
          ? null
          : {
              objectiveResponseRate: r.objectiveResponses / r.v2Patients,
              toxicDeaths: r.toxicDeaths,
              toxicDeathFraction: r.toxicDeaths / r.v2Patients,
              meanDoseIntensity: r.meanDoseIntensity,
              grade4NeutropeniaRate: r.grade4Neutropenia / r.v2Patients,
              recistBestResponse: Object.fromEntries(
                recistResponses.map((name, code) => [name, r.recistBestResponse[code]!]),
              ) as Record<RecistResponse, number>,
            },
    };
  });
}
