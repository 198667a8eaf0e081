/**
 * Runs inside a statistics thread (see stats-pool.ts): Kaplan–Meier summaries and log-rank tests of a
 * request, never on the API's event loop.
 */
import type { EndpointSummary } from '@frontline/contracts';
import type { TimeCounts } from '@frontline/db';
import { kaplanMeierSummary, stratifiedCounts } from '@frontline/stats';
import { type CellCounts, distinctPatients, pooledGroups, stratumCounts } from './group-cells.js';
import { armPower, type HazardRatiosTask, hazardRatios, type PowerTask } from './hazard-stats.js';
import { type SensitivityTask, sensitivityOf } from './sensitivity.js';
import {
  hasOutcomes,
  type LogRankView,
  logRankByStratumOf,
  logRankOf,
  summariseGroup,
} from './survival-summary.js';

export interface SurvivalStatsTask {
  kind: 'survival';
  /** Count tables of each group's cells (its points of one stratum); a group pools its cells. */
  cells: CellCounts;
  /** Whether the log-rank tests are stratified by the cells' strata (the pooled axes). */
  stratified: boolean;
  /** What each group of the answer starts with: its key (and point index when per point). */
  heads: {
    key: Record<string, number>;
    ranges?: Record<string, [number, number]>;
    pointIndex?: number;
    points: number;
  }[];
  /** Restricted-mean horizon of each group. */
  taus: number[];
  at: number[];
  maxPoints?: number;
  /** `allGroups`: one k-group test; otherwise each group against its reference group (or none). */
  comparison: { method: 'allGroups' } | { method: 'referenceArm'; references: (number | null)[] };
}

export interface SurvivalStatsResult {
  overall: LogRankView | null;
  /**
   * The answer's `groups` array as JSON text: serialising megabytes of curves is work too, done here
   * rather than on the event loop.
   */
  groupsJson: string;
}

export interface PointStatsTask {
  kind: 'points';
  os: TimeCounts[];
  pfs: TimeCounts[];
  taus: number[];
  at: number[];
}

/** One endpoint's summary of a point, as the points route serves it. */
export type EndpointView = EndpointSummary;

/** JSON has no NaN (an undefined standard error or limit): the contract says null. */
const orNull = (value: number | null | undefined) =>
  value === null || value === undefined || Number.isNaN(value) ? null : value;

function survivalStats(task: SurvivalStatsTask): SurvivalStatsResult {
  const pooled = pooledGroups(task.cells, task.heads.length);
  const summaries = pooled.map(
    (counts, g) =>
      summariseGroup(counts, { at: task.at, tau: task.taus[g]!, maxPoints: task.maxPoints }).summary,
  );
  const { comparison } = task;
  // Pooled points hold the same patients: compare them stratum by stratum (survdiff(… + strata(…))).
  // Each group's strata are checked and tabulated once, for all the tests it takes part in.
  const strata = task.stratified
    ? pooled.map((_, g) => {
        const parts = stratumCounts(task.cells, g);
        return parts === null ? null : stratifiedCounts(parts, `logRank group ${g}`);
      })
    : [];
  const test = (groups: number[]) =>
    task.stratified
      ? logRankByStratumOf(groups.map((g) => strata[g]!))
      : logRankOf(groups.map((g) => pooled[g]!));
  const overall = comparison.method === 'allGroups' ? test([...pooled.keys()]) : null;
  const logRanks = pooled.map((_, g) => {
    if (comparison.method === 'allGroups') return overall;
    const reference = comparison.references[g];
    return reference === null || reference === undefined ? null : test([reference, g]);
  });
  const groups = task.heads.map((head, g) => ({
    ...head,
    distinctPatients: distinctPatients(task.cells, g),
    ...summaries[g]!,
    logRank: logRanks[g] ?? null,
  }));
  return { overall, groupsJson: JSON.stringify(groups) };
}

/** A point's endpoint from its count table: only the numbers the row shows (kaplanMeierSummary, no curve). */
function pointEndpoint(counts: TimeCounts, at: readonly number[], tau: number): EndpointSummary {
  if (!hasOutcomes(counts))
    return { median: { value: null, lower: null, upper: null }, at365: null, at730: null, rmst: null };
  const summary = kaplanMeierSummary(counts, { at, tau });
  const survivalAt = (t: number) => {
    const k = at.indexOf(t);
    return k < 0 ? null : orNull(summary.survivalAt[k]);
  };
  const { median } = summary;
  return {
    median: { value: orNull(median.median), lower: orNull(median.lower), upper: orNull(median.upper) },
    at365: survivalAt(365),
    at730: survivalAt(730),
    rmst: orNull(summary.rmst),
  };
}

function pointStats(task: PointStatsTask): { os: EndpointSummary; pfs: EndpointSummary }[] {
  return task.taus.map((tau, i) => ({
    os: pointEndpoint(task.os[i]!, task.at, tau),
    pfs: pointEndpoint(task.pfs[i]!, task.at, tau),
  }));
}

export type StatsTask = SurvivalStatsTask | PointStatsTask | SensitivityTask | HazardRatiosTask | PowerTask;

export default function runStatsTask(task: StatsTask) {
  switch (task.kind) {
    case 'survival':
      return survivalStats(task);
    case 'points':
      return pointStats(task);
    case 'sensitivity':
      return sensitivityOf(task);
    case 'hazardRatios':
      return hazardRatios(task);
    case 'power':
      return armPower(task);
  }
}
