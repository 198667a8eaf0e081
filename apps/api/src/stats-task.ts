/**
 * Runs inside a statistics thread (see stats-pool.ts): Kaplan–Meier summaries and log-rank tests of a
 * request, never on the API's event loop.
 */
import type { EndpointSummary } from '@frontline/contracts';
import { type PackedSurvivalCounts, survivalCountsOf, type TimeCounts } from '@frontline/db';
import { kaplanMeierSummary, stratifiedCounts } from '@frontline/stats';
import {
  type CellCounts,
  distinctPatients,
  type PackedCells,
  pooledGroup,
  pooledGroups,
  stratumCounts,
  unpackCells,
} from './group-cells.js';
import { armPower, type HazardRatiosTask, hazardRatios, type PowerTask } from './hazard-stats.js';
import { type SensitivityTask, sensitivityOf } from './sensitivity.js';
import {
  type GroupTexts,
  hasOutcomes,
  joinSurvivalGroups,
  type LogRankView,
  logRankByStratumOf,
  logRankOf,
  summariseGroup,
  utf8Texts,
} from './survival-summary.js';

export interface SurvivalStatsTask {
  kind: 'survival';
  /** Count tables of each group's cells (its points of one stratum), packed; a group pools its cells. */
  cells: PackedCells;
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
   * The answer's `groups` array as JSON text in UTF-8: serialising megabytes of curves is work too, done
   * here rather than on the event loop, which sends the bytes as they are (no re-encoding or measuring).
   */
  groups: Uint8Array;
}

export interface SurvivalTestsResult {
  overall: LogRankView | null;
  logRanks: (LogRankView | null)[];
}

export interface PointStatsTask {
  kind: 'points';
  /** The points, in the answer's order. */
  pointIds: number[];
  /** Their packed tables as read (a point without outcomes yet has none). */
  os: PackedSurvivalCounts[];
  pfs: PackedSurvivalCounts[];
  taus: number[];
  at: number[];
}

/** One endpoint's summary of a point, as the points route serves it. */
export type EndpointView = EndpointSummary;

/** JSON has no NaN (an undefined standard error or limit): the contract says null. */
const orNull = (value: number | null | undefined) =>
  value === null || value === undefined || Number.isNaN(value) ? null : value;

/**
 * The log-rank tests of a survival request: one across all groups, or each group against its reference.
 * `logRanks` has one entry per group (the overall test repeated when all groups are tested together).
 */
function survivalTests(
  task: Omit<SurvivalTestsTask, 'kind' | 'cells'>,
  cells: CellCounts,
): SurvivalTestsResult {
  const { comparison, groups } = task;
  const all = Array.from({ length: groups }, (_, g) => g);
  // Pooled points hold the same patients: compare them stratum by stratum (survdiff(… + strata(…))).
  // Each group's strata are checked and tabulated once, for all the tests it takes part in.
  const strata = task.stratified
    ? all.map((g) => {
        const parts = stratumCounts(cells, g);
        return parts === null ? null : stratifiedCounts(parts, `logRank group ${g}`);
      })
    : [];
  const pooled = task.stratified ? [] : pooledGroups(cells, groups);
  const test = (members: number[]) =>
    task.stratified
      ? logRankByStratumOf(members.map((g) => strata[g]!))
      : logRankOf(members.map((g) => pooled[g]!));
  const overall = comparison.method === 'allGroups' ? test(all) : null;
  const logRanks = all.map((g) => {
    if (comparison.method === 'allGroups') return overall;
    const reference = comparison.references[g];
    return reference === null || reference === undefined ? null : test([reference, g]);
  });
  return { overall, logRanks };
}

/**
 * Each of `groups`' answer as JSON text, all but its log-rank test (the last field, added by
 * joinSurvivalGroups): its head, distinct patients, Kaplan–Meier curve and summaries. `cells` may hold
 * only these groups' cells (group numbers unchanged).
 */
function survivalCurves(task: Omit<SurvivalCurvesTask, 'kind' | 'cells'>, cells: CellCounts): GroupTexts {
  const texts = task.groups.map((g) => {
    const { summary } = summariseGroup(pooledGroup(cells, g), {
      at: task.at,
      tau: task.taus[g]!,
      maxPoints: task.maxPoints,
    });
    return JSON.stringify({
      ...task.heads[g]!,
      distinctPatients: distinctPatients(cells, g),
      ...summary,
    });
  });
  return utf8Texts(texts);
}

function survivalStats(task: SurvivalStatsTask): SurvivalStatsResult {
  const groups = task.heads.length;
  const cells = unpackCells(task.cells);
  const tests = survivalTests({ ...task, groups }, cells);
  const curves = survivalCurves({ ...task, groups: Array.from({ length: groups }, (_, g) => g) }, cells);
  return { overall: tests.overall, groups: joinSurvivalGroups([curves], tests.logRanks) };
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
  const pointGroups = task.pointIds.map((pointId, group) => ({ pointId, group }));
  const os = survivalCountsOf(task.os, pointGroups, pointGroups.length);
  const pfs = survivalCountsOf(task.pfs, pointGroups, pointGroups.length);
  return task.taus.map((tau, i) => ({
    os: pointEndpoint(os[i]!, task.at, tau),
    pfs: pointEndpoint(pfs[i]!, task.at, tau),
  }));
}

/** A survival request's tests alone (run beside its curves, in another thread). */
export type SurvivalTestsTask = Pick<SurvivalStatsTask, 'cells' | 'stratified' | 'comparison'> & {
  kind: 'survivalTests';
  groups: number;
};

/** Some of a survival request's groups' curves and summaries (their cells only). */
export type SurvivalCurvesTask = Pick<SurvivalStatsTask, 'cells' | 'heads' | 'taus' | 'at' | 'maxPoints'> & {
  kind: 'survivalCurves';
  groups: number[];
};

export type StatsTask =
  | SurvivalStatsTask
  | SurvivalTestsTask
  | SurvivalCurvesTask
  | PointStatsTask
  | SensitivityTask
  | HazardRatiosTask
  | PowerTask;

export default function runStatsTask(task: StatsTask) {
  switch (task.kind) {
    case 'survival':
      return survivalStats(task);
    case 'survivalTests':
      return survivalTests(task, unpackCells(task.cells));
    case 'survivalCurves':
      return survivalCurves(task, unpackCells(task.cells));
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
