/**
 * Hazard ratios and virtual-trial power of a request's arms, from their cells' count tables (see
 * group-cells.ts). Pure; runs in the statistics threads.
 */
import {
  type CoxPhResult,
  coxPhByGroup,
  type StratifiedSurvivalInput,
  SurvivalInputError,
  virtualTrialPower,
} from '@frontline/stats';
import { type CellCounts, distinctPatients, pooledGroups, stratifiedGroup } from './group-cells.js';

/** JSON has no NaN or Infinity (an undefined or infinite estimate): the contracts say null. */
export const finiteOrNull = (value: number | null | undefined) =>
  value === null || value === undefined || !Number.isFinite(value) ? null : value;

export interface HazardRatiosTask {
  kind: 'hazardRatios';
  cells: CellCounts;
  groups: number;
  /** The reference arm's group. */
  reference: number;
  /** Whether the cells are strata (some group pools points of other axes' settings). */
  stratified: boolean;
}

export interface HazardRatioRow {
  patients: number;
  distinctPatients: number;
  points: number;
  events: number;
  hazardRatio: number | null;
  lower: number | null;
  upper: number | null;
  coef: number | null;
  se: number | null;
  pValue: number | null;
}

export interface HazardRatiosResult {
  rows: HazardRatioRow[];
  strata: number;
  likelihoodRatio: { chiSq: number | null; df: number; pValue: number | null } | null;
  warnings: string[];
}

const sum = (values: ArrayLike<number>) => {
  let total = 0;
  for (let i = 0; i < values.length; i++) total += values[i]!;
  return total;
};

/** Each arm against the reference: one Cox model with an indicator per arm, stratified by the cells' strata. */
export function hazardRatios(task: HazardRatiosTask): HazardRatiosResult {
  const { cells } = task;
  const pooled = pooledGroups(cells, task.groups);
  const hasOutcomes = pooled.map((table) => table.time.length > 0);
  const inputs: (StratifiedSurvivalInput | null)[] = pooled.map((table, g) =>
    !hasOutcomes[g] ? null : task.stratified ? stratifiedGroup(cells, g) : table,
  );
  // The reference first, then every other arm with outcomes: term j is arm order[j + 1].
  const order = [task.reference, ...pooled.keys()].filter(
    (g, i) => inputs[g] !== null && (i === 0 || g !== task.reference),
  );
  const warnings: string[] = [];
  let fit: CoxPhResult | null = null;
  if (order[0] !== task.reference) warnings.push('the reference arm has no outcomes yet');
  else if (order.length < 2) warnings.push('no arm besides the reference has outcomes yet');
  else {
    try {
      fit = coxPhByGroup(
        order.map((g) => inputs[g]!),
        { names: order.slice(1).map(String) },
      );
      warnings.push(...fit.warnings);
      if (!fit.converged) warnings.push('Newton–Raphson ran out of iterations and did not converge');
    } catch (error) {
      // No events at all, or arms that cannot be told apart: no model, said so.
      if (!(error instanceof SurvivalInputError)) throw error;
      warnings.push(error.message);
    }
  }
  const termOf = new Map(fit?.terms.map((term) => [Number(term.name), term]) ?? []);
  const rows = pooled.map((table, g): HazardRatioRow => {
    const term = termOf.get(g);
    return {
      patients: sum(table.nEvent) + sum(table.nCensor),
      distinctPatients: distinctPatients(cells, g),
      points: 0, // set by the route, which knows the points
      events: sum(table.nEvent),
      hazardRatio: g === task.reference && fit ? 1 : finiteOrNull(term?.hazardRatio),
      lower: finiteOrNull(term?.lower),
      upper: finiteOrNull(term?.upper),
      coef: finiteOrNull(term?.coef),
      se: finiteOrNull(term?.se),
      pValue: finiteOrNull(term?.pValue),
    };
  });
  const lr = fit?.likelihoodRatio;
  return {
    rows,
    strata: new Set(cells.stratum).size,
    likelihoodRatio: lr
      ? { chiSq: finiteOrNull(lr.chiSq), df: lr.df, pValue: finiteOrNull(lr.pValue) }
      : null,
    warnings,
  };
}

export interface PowerTask {
  kind: 'power';
  cells: CellCounts;
  groups: number;
  arm: number;
  reference: number;
  patientsPerArm: number[];
  alpha: number;
  replicates: number;
  accrualDays: number;
  followUpDays: number;
  seed: number;
}

export interface PowerResult {
  arms: { patients: number; distinctPatients: number; events: number }[];
  hazardRatio: number | null;
  rows: {
    patientsPerArm: number;
    replicates: number;
    rejections: number;
    power: number;
    lower: number;
    upper: number;
    expectedEvents: number;
    schoenfeld: number | null;
  }[];
  warnings: string[];
}

/**
 * Virtual trials drawing patients from each arm's pooled cohort: where the arm pools other axes, a
 * population whose settings of those axes vary as in the sweep's design.
 */
export function armPower(task: PowerTask): PowerResult {
  const pooled = pooledGroups(task.cells, task.groups);
  const arms = [task.arm, task.reference].map((g) => ({
    patients: sum(pooled[g]!.nEvent) + sum(pooled[g]!.nCensor),
    distinctPatients: distinctPatients(task.cells, g),
    events: sum(pooled[g]!.nEvent),
  }));
  const missing = [task.arm, task.reference].filter((g) => pooled[g]!.time.length === 0);
  if (missing.length > 0)
    return { arms, hazardRatio: null, rows: [], warnings: ['an arm has no outcomes yet: no trials drawn'] };
  let result: ReturnType<typeof virtualTrialPower>;
  try {
    result = virtualTrialPower({
      reference: pooled[task.reference]!,
      treatment: pooled[task.arm]!,
      patientsPerArm: task.patientsPerArm,
      alpha: task.alpha,
      replicates: task.replicates,
      accrualDays: task.accrualDays,
      followUpDays: task.followUpDays,
      seed: task.seed,
    });
  } catch (error) {
    // No events in either arm (no hazard ratio to fit): no trials drawn, said so rather than a 500.
    if (!(error instanceof SurvivalInputError)) throw error;
    return { arms, hazardRatio: null, rows: [], warnings: [error.message] };
  }
  return {
    arms,
    hazardRatio: finiteOrNull(result.hazardRatio),
    rows: result.rows.map((row) => ({
      patientsPerArm: row.patientsPerArm,
      replicates: row.replicates,
      rejections: row.rejections,
      power: row.power,
      lower: row.lower,
      upper: row.upper,
      expectedEvents: row.expectedEvents,
      schoenfeld: finiteOrNull(row.schoenfeld),
    })),
    warnings: [],
  };
}
