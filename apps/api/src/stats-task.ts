/**
 * Runs inside a statistics thread (see stats-pool.ts): Kaplan–Meier summaries and log-rank tests of a
 * request, never on the API's event loop.
 */
import type { TimeCounts } from '@frontline/db';
import { type GroupSurvival, type LogRankView, logRankOf, summariseGroup } from './survival-summary.js';

export interface SurvivalStatsTask {
  kind: 'survival';
  groups: TimeCounts[];
  /** What each group of the answer starts with: its key (and point index when per point). */
  heads: { key: Record<string, number>; ranges?: Record<string, [number, number]>; pointIndex?: number }[];
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

export interface EndpointView {
  median: GroupSurvival['median'];
  at365: number | null;
  at730: number | null;
  rmst: number | null;
}

function survivalStats(task: SurvivalStatsTask): SurvivalStatsResult {
  const summaries = task.groups.map(
    (counts, g) =>
      summariseGroup(counts, { at: task.at, tau: task.taus[g]!, maxPoints: task.maxPoints }).summary,
  );
  const { comparison } = task;
  const overall = comparison.method === 'allGroups' ? logRankOf(task.groups) : null;
  const logRanks = task.groups.map((counts, g) => {
    if (comparison.method === 'allGroups') return overall;
    const reference = comparison.references[g];
    return reference === null || reference === undefined
      ? null
      : logRankOf([task.groups[reference]!, counts]);
  });
  const groups = task.heads.map((head, g) => ({ ...head, ...summaries[g]!, logRank: logRanks[g] ?? null }));
  return { overall, groupsJson: JSON.stringify(groups) };
}

function endpointView(summary: GroupSurvival): EndpointView {
  return {
    median: summary.median,
    at365: summary.survivalAt['365']?.survival ?? null,
    at730: summary.survivalAt['730']?.survival ?? null,
    rmst: summary.rmst?.value ?? null,
  };
}

function pointStats(task: PointStatsTask): { os: EndpointView; pfs: EndpointView }[] {
  return task.taus.map((tau, i) => ({
    os: endpointView(summariseGroup(task.os[i]!, { at: task.at, tau }).summary),
    pfs: endpointView(summariseGroup(task.pfs[i]!, { at: task.at, tau }).summary),
  }));
}

export type StatsTask = SurvivalStatsTask | PointStatsTask;

export default function runStatsTask(task: StatsTask) {
  return task.kind === 'survival' ? survivalStats(task) : pointStats(task);
}
