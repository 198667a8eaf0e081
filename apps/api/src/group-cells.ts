/**
 * Count tables of a request's cells (a group's points of one stratum, see groupCells) turned into what
 * the statistics take: the group's pooled table for Kaplan–Meier, and its rows labelled by stratum for
 * the stratified log-rank and Cox models. Runs in the statistics threads.
 */
import type { TimeCounts } from '@frontline/db';
import { poolCountTables, type StratifiedSurvivalInput, type StratumCounts } from '@frontline/stats';

export interface CellCounts {
  /** One count table per cell (empty for a cell without outcomes yet). */
  counts: TimeCounts[];
  group: number[];
  stratum: number[];
  /** Patients of the sweep's cohort: every point holds (at most) these same virtual patients. */
  cohortPatients: number;
}

const cellsOf = (cells: CellCounts, g: number) => cells.group.flatMap((group, c) => (group === g ? [c] : []));

/** A group's pooled table: all its patient rows, as Kaplan–Meier and the unstratified tests see them. */
export function pooledGroup(cells: CellCounts, g: number): TimeCounts {
  return poolCountTables(cellsOf(cells, g).map((c) => cells.counts[c]!));
}

/** Each group's pooled table. */
export function pooledGroups(cells: CellCounts, groups: number): TimeCounts[] {
  return Array.from({ length: groups }, (_, g) => pooledGroup(cells, g));
}

/** The cells of the given groups only (group numbers unchanged), to send a thread only what it needs. */
export function cellsOfGroups(cells: CellCounts, groups: readonly number[]): CellCounts {
  const wanted = new Set(groups);
  const kept = cells.group.flatMap((group, c) => (wanted.has(group) ? [c] : []));
  return {
    counts: kept.map((c) => cells.counts[c]!),
    group: kept.map((c) => cells.group[c]!),
    stratum: kept.map((c) => cells.stratum[c]!),
    cohortPatients: cells.cohortPatients,
  };
}

/** The group's rows with the stratum of each (its cells concatenated); null when it has no outcomes. */
export function stratifiedGroup(cells: CellCounts, g: number): StratifiedSurvivalInput | null {
  const own = cellsOf(cells, g).filter((c) => cells.counts[c]!.time.length > 0);
  if (own.length === 0) return null;
  const time: number[] = [];
  const nEvent: number[] = [];
  const nCensor: number[] = [];
  const strata: number[] = [];
  for (const c of own) {
    const table = cells.counts[c]!;
    for (let i = 0; i < table.time.length; i++) {
      time.push(table.time[i]!);
      nEvent.push(table.nEvent[i]!);
      nCensor.push(table.nCensor[i]!);
      strata.push(cells.stratum[c]!);
    }
  }
  return { time, nEvent, nCensor, strata };
}

/**
 * The group's cells as count tables labelled by stratum, for the stratified log-rank test
 * (logRankByStratum: the same test as on stratifiedGroup's rows, without concatenating and re-sorting
 * them); null when it has no outcomes.
 */
export function stratumCounts(cells: CellCounts, g: number): StratumCounts[] | null {
  const own = cellsOf(cells, g).filter((c) => cells.counts[c]!.time.length > 0);
  if (own.length === 0) return null;
  return own.map((c) => ({ stratum: cells.stratum[c]!, counts: cells.counts[c]! }));
}

function patientsOf(table: TimeCounts): number {
  let n = 0;
  for (let i = 0; i < table.time.length; i++) n += table.nEvent[i]! + table.nCensor[i]!;
  return n;
}

/**
 * Distinct virtual patients behind a group's pooled rows: its points share the sweep's cohort, so the
 * largest cell (capped at the cohort) — the whole cohort once every point is done.
 */
export function distinctPatients(cells: CellCounts, g: number): number {
  return cellsOf(cells, g).reduce(
    (most, c) => Math.max(most, Math.min(cells.cohortPatients, patientsOf(cells.counts[c]!))),
    0,
  );
}
