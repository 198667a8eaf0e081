/**
 * A chunk's contribution to its sweep's tables, computed in the worker before the transaction: per
 * endpoint, events and censorings per grid step (sparse, steps ascending); per point, the counts and
 * the histogram `points` shows. Pure: no I/O.
 */
import type { SurvivalEndpoint } from '@frontline/contracts';
import { bestResponses, recistResponses } from '@frontline/contracts';
import { isOutcomeV2, type OutcomeRecord } from '../outcome-values.js';
import { gridIndex } from './time-grid.js';

/** Events and censorings per grid step, steps ascending, steps with neither left out. */
export interface StepCounts {
  steps: number[];
  events: number[];
  censored: number[];
}

/**
 * Bins of the leader-fraction histogram on [0, 1]: bin b holds [b, b + 1) / leaderFractionBins (1 in the
 * last). A median read from it is within one bin width (0.001) of the exact one (docs/results.md).
 */
export const leaderFractionBins = 1000;

/** The bin of a leader fraction. */
export const leaderFractionBin = (fraction: number) =>
  Math.min(leaderFractionBins - 1, Math.max(0, Math.floor(fraction * leaderFractionBins)));

/** A point's summary counts over some patients (merged by addition). */
export interface PointCounts {
  patients: number;
  cured: number;
  /** Indexed by stored code (bestResponses). */
  bestResponse: number[];
  leaderHistogram: { bins: number[]; counts: number[] };
  v2Patients: number;
  objectiveResponses: number;
  toxicDeaths: number;
  grade4Neutropenia: number;
  /** Relative dose intensities of the patients given at least one dose (summed exactly in SQL). */
  doseIntensities: number[];
  /** Indexed by stored code (recistResponses). */
  recistBestResponse: number[];
}

/** The endpoint's (time, event) of a recorded outcome; lf-tid@2's pfs is scan-based (docs/results.md). */
export function endpointOf(
  record: OutcomeRecord,
  endpoint: SurvivalEndpoint,
): { days: number; event: boolean } {
  if (endpoint === 'os') return { days: record.osDays, event: record.osEvent };
  if (endpoint === 'mfs') return { days: record.mfsDays, event: record.mfsEvent };
  if (isOutcomeV2(record)) return { days: record.scanPfsDays, event: record.scanPfsEvent };
  return { days: record.pfsDays, event: record.pfsEvent };
}

/** Sparse counts (sorted keys) of a map from key to count pair. */
function sparse(counts: Map<number, [number, number]>): StepCounts {
  const steps = [...counts.keys()].sort((a, b) => a - b);
  return {
    steps,
    events: steps.map((s) => counts.get(s)![0]),
    censored: steps.map((s) => counts.get(s)![1]),
  };
}

/** One endpoint's step counts of some outcomes on a `stepDays` grid. */
export function stepCounts(
  records: readonly OutcomeRecord[],
  endpoint: SurvivalEndpoint,
  stepDays: number,
): StepCounts {
  const counts = new Map<number, [number, number]>();
  for (const record of records) {
    const { days, event } = endpointOf(record, endpoint);
    const step = gridIndex(days, stepDays);
    const pair = counts.get(step) ?? [0, 0];
    pair[event ? 0 : 1]++;
    counts.set(step, pair);
  }
  return sparse(counts);
}

/** The summary counts of some outcomes. */
export function pointCounts(records: readonly OutcomeRecord[]): PointCounts {
  const counts: PointCounts = {
    patients: records.length,
    cured: 0,
    bestResponse: bestResponses.map(() => 0),
    leaderHistogram: { bins: [], counts: [] },
    v2Patients: 0,
    objectiveResponses: 0,
    toxicDeaths: 0,
    grade4Neutropenia: 0,
    doseIntensities: [],
    recistBestResponse: recistResponses.map(() => 0),
  };
  const leader = new Map<number, number>();
  for (const record of records) {
    if (record.cured) counts.cured++;
    counts.bestResponse[bestResponses.indexOf(record.bestResponse)]!++;
    const bin = leaderFractionBin(record.leaderFractionAtDiagnosis);
    leader.set(bin, (leader.get(bin) ?? 0) + 1);
    if (!isOutcomeV2(record)) continue;
    counts.v2Patients++;
    if (record.objectiveResponse) counts.objectiveResponses++;
    if (record.toxicDeath) counts.toxicDeaths++;
    if (record.worstNeutropeniaGrade === 4) counts.grade4Neutropenia++;
    if (record.cyclesReceived > 0) counts.doseIntensities.push(record.relativeDoseIntensity);
    counts.recistBestResponse[recistResponses.indexOf(record.recistBestResponse)]!++;
  }
  const bins = [...leader.keys()].sort((a, b) => a - b);
  counts.leaderHistogram = { bins, counts: bins.map((b) => leader.get(b)!) };
  return counts;
}

/**
 * The median of a histogram (as percentile_cont(0.5) of the values, each bin's values taken evenly
 * spread across it): within one bin width of the exact median. Null for an empty histogram.
 */
export function histogramMedian(bins: readonly number[], counts: readonly number[]): number | null {
  const n = counts.reduce((a, b) => a + b, 0);
  if (n === 0) return null;
  const valueAt = (rank: number) => {
    let before = 0;
    for (let i = 0; i < bins.length; i++) {
      const c = counts[i]!;
      if (rank < before + c) return (bins[i]! + (rank - before + 0.5) / c) / leaderFractionBins;
      before += c;
    }
    throw new Error(`rank ${rank} past ${n} values`);
  };
  const middle = (n - 1) / 2;
  const lo = valueAt(Math.floor(middle));
  return lo + (middle - Math.floor(middle)) * (valueAt(Math.ceil(middle)) - lo);
}
