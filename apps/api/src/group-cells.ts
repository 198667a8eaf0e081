/**
 * Count tables of a request's cells (a group's points of one stratum, see groupCells) turned into what
 * the statistics take: the group's pooled table for Kaplan–Meier, and its rows labelled by stratum for
 * the stratified log-rank and Cox models. Runs in the statistics threads.
 */
import { type PackedSurvivalCounts, type PointGroup, survivalCountsOf, type TimeCounts } from '@frontline/db';
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

/**
 * A request's cells as read from the database: the points' packed tables and each point's cell. The
 * statistics thread decodes and pools them (unpackCells), so the event loop neither decodes nor clones
 * the decoded tables (several times larger) to the threads.
 */
export interface PackedCells {
  packed: PackedSurvivalCounts[];
  /** Point → cell (groupCells' pointCells). */
  pointCells: PointGroup[];
  group: number[];
  stratum: number[];
  cohortPatients: number;
}

/** The cells' count tables: the points' tables decoded and pooled by cell (survivalCountsOf). */
export function unpackCells(cells: PackedCells): CellCounts {
  return {
    counts: survivalCountsOf(cells.packed, cells.pointCells, cells.group.length),
    group: cells.group,
    stratum: cells.stratum,
    cohortPatients: cells.cohortPatients,
  };
}

/**
 * Only what the given groups need: their cells' points (other cells keep their numbers and come out
 * empty), to send a thread that summarises these groups no more than that.
 */
export function packedCellsOfGroups(cells: PackedCells, groups: readonly number[]): PackedCells {
  const wanted = new Set(groups);
  const pointCells = cells.pointCells.filter((p) => wanted.has(cells.group[p.group]!));
  const points = new Set(pointCells.map((p) => p.pointId));
  return { ...cells, pointCells, packed: cells.packed.filter((row) => points.has(row.pointId)) };
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
