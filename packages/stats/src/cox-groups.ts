/**
 * Cox model of groups against a reference group (arm indicators), from each group's survival table: the
 * per-time counts the database aggregates, or raw rows. Each (stratum, group, time) becomes at most two
 * weighted rows — deaths and censorings — so the work grows with distinct times, not patients, and the
 * result equals `coxPh` on the expanded rows (Efron spreads each tie over its number of deaths).
 */
import {
  type CoxObservations,
  type CoxPhResult,
  type CoxTies,
  coxFromObservations,
  stratumIndices,
} from './cox.js';
import { isAggregatedInput, type SurvivalInput, SurvivalInputError } from './input.js';
import type { StratifiedSurvivalInput } from './log-rank.js';
import { tabulate } from './survival-table.js';

export interface CoxPhByGroupOptions {
  readonly ties?: CoxTies;
  /** Term names for groups 1…k−1 (group 0 is the reference); default `group 1`, `group 2`, … */
  readonly names?: readonly string[];
}

/** Hazard ratios of groups 1…k−1 against group 0, equal to `coxPh` with 0/1 indicators for those groups. */
export function coxPhByGroup(
  groups: readonly StratifiedSurvivalInput[],
  options: CoxPhByGroupOptions = {},
): CoxPhResult {
  if (!Array.isArray(groups) || groups.length < 2) {
    throw new SurvivalInputError(
      `coxPhByGroup: at least two groups are needed, got ${groups?.length ?? groups}`,
    );
  }
  const k = groups.length;
  const names = options.names ?? Array.from({ length: k - 1 }, (_, g) => `group ${g + 1}`);
  if (names.length !== k - 1) {
    throw new SurvivalInputError(
      `coxPhByGroup: names must name groups 1…${k - 1} (${k - 1} names), got ${names.length}`,
    );
  }
  const stratified = groups.some((group) => group.strata !== undefined);
  const labels = new Map<string | number, number>();

  const time: number[] = [];
  const status: number[] = [];
  const weight: number[] = [];
  const stratum: number[] = [];
  const armOf: number[] = [];
  groups.forEach((group, g) => {
    const where = `coxPhByGroup group ${g}`;
    tabulate(group, where); // checks the shape and every value
    const parts: { stratum: number; input: SurvivalInput }[] = [];
    if (!stratified) parts.push({ stratum: 0, input: group });
    else {
      if (group.strata === undefined) {
        throw new SurvivalInputError(
          `${where}: strata must be given for every group when one group has them`,
        );
      }
      // Local indices, then one numbering shared by all groups.
      const local = stratumIndices(group.strata, group.time.length, `groups[${g}].strata`);
      const rowsOf = new Map<number, number[]>();
      for (let i = 0; i < local.length; i++) {
        const label = group.strata[i]!;
        let s = labels.get(label);
        if (s === undefined) {
          s = labels.size;
          labels.set(label, s);
        }
        const rows = rowsOf.get(s) ?? [];
        rows.push(i);
        rowsOf.set(s, rows);
      }
      for (const [s, rows] of rowsOf) {
        const t = rows.map((i) => group.time[i]!);
        if (isAggregatedInput(group)) {
          const nEvent = rows.map((i) => group.nEvent[i]!);
          const nCensor = rows.map((i) => group.nCensor[i]!);
          if (nEvent.every((d, i) => d + nCensor[i]! === 0)) continue;
          parts.push({ stratum: s, input: { time: t, nEvent, nCensor } });
        } else {
          parts.push({ stratum: s, input: { time: t, event: rows.map((i) => group.event[i]!) } });
        }
      }
    }
    for (const part of parts) {
      const table = tabulate(part.input, where);
      for (let i = 0; i < table.time.length; i++) {
        for (const [count, dead] of [
          [table.nEvent[i]!, 1],
          [table.nCensor[i]!, 0],
        ] as const) {
          if (count === 0) continue;
          time.push(table.time[i]!);
          status.push(dead);
          weight.push(count);
          stratum.push(part.stratum);
          armOf.push(g);
        }
      }
    }
  });

  const observations: CoxObservations = {
    time,
    status,
    weight,
    stratum,
    names,
    covariates: names.map((_, j) => armOf.map((g) => (g === j + 1 ? 1 : 0))),
  };
  return coxFromObservations(observations, options.ties ?? 'efron');
}
