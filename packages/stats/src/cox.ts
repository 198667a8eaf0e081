/**
 * Cox proportional hazards regression, equal to R survival's `summary(coxph(Surv(time, event) ~ x1 + … [+
 * strata(s)], ties = 'efron' | 'breslow'))`: coefficients, hazard ratios with 95% Wald intervals, the
 * likelihood-ratio, Wald and score tests, and the concordance. The fit itself is the port in cox-fit.ts.
 */
import { coxConcordance } from './cox-concordance.js';
import { COX_CONTROL, type CoxFit, type CoxRows, cholesky2, chsolve2, fitCox } from './cox-fit.js';
import { chiSquareUpperTail } from './gamma.js';
import { SurvivalInputError } from './input.js';
import { normalQuantile } from './normal.js';
import { nearTieHeads } from './survival-table.js';

export type CoxTies = 'efron' | 'breslow';

export interface CoxPhInput {
  readonly time: ArrayLike<number>;
  readonly event: ArrayLike<boolean>;
  /** Covariate name → one value per subject. */
  readonly covariates: Readonly<Record<string, ArrayLike<number>>>;
  /** Stratum of each subject: a separate baseline hazard per stratum, as `+ strata(s)`. */
  readonly strata?: ArrayLike<string | number>;
}

export interface CoxPhOptions {
  /** How tied event times are handled; 'efron' by default, as R. */
  readonly ties?: CoxTies;
}

export interface CoxTerm {
  readonly name: string;
  readonly coef: number;
  readonly se: number;
  readonly hazardRatio: number;
  /** 95% Wald interval of the hazard ratio. */
  readonly lower: number;
  readonly upper: number;
  readonly z: number;
  readonly pValue: number;
}

export interface ChiSquareTest {
  readonly chiSq: number;
  readonly df: number;
  readonly pValue: number;
}

export interface CoxPhResult {
  readonly terms: CoxTerm[];
  /** Log partial likelihood of the null model and of the fitted one. */
  readonly loglik: [number, number];
  readonly likelihoodRatio: ChiSquareTest;
  /** R's `fit$wald.test` (summary() prints it rounded to 2 decimals; this is unrounded). */
  readonly wald: ChiSquareTest;
  readonly score: ChiSquareTest;
  readonly concordance: number;
  readonly n: number;
  readonly events: number;
  readonly iterations: number;
  readonly ties: CoxTies;
  /** False when Newton–Raphson ran out of iterations (R warns "Ran out of iterations and did not converge"). */
  readonly converged: boolean;
  /** R's warnings, e.g. a coefficient that may be infinite (monotone likelihood). */
  readonly warnings: string[];
}

/** Input a Cox model cannot be fitted to; `field` names the input, `rule` what it breaks. */
export class CoxInputError extends SurvivalInputError {
  constructor(
    readonly field: string,
    readonly rule: string,
  ) {
    super(`coxPh: ${field} ${rule}`);
  }
}

/** One observation per row (or a count of identical ones, in `weight`), in input order. */
export interface CoxObservations {
  readonly time: ArrayLike<number>;
  readonly status: ArrayLike<number>;
  readonly weight: ArrayLike<number>;
  /** Stratum index per row (0 when unstratified). */
  readonly stratum: ArrayLike<number>;
  readonly names: readonly string[];
  readonly covariates: readonly ArrayLike<number>[];
}

function isArrayLike(value: unknown): value is ArrayLike<unknown> {
  return (
    Array.isArray(value) ||
    ArrayBuffer.isView(value) ||
    (typeof value === 'object' &&
      value !== null &&
      typeof (value as { length?: unknown }).length === 'number')
  );
}

/** Stratum labels → indices, in order of first appearance; checks the labels. */
export function stratumIndices(strata: unknown, n: number, field: string): Int32Array {
  const index = new Int32Array(n);
  if (strata === undefined) return index;
  if (!isArrayLike(strata)) throw new CoxInputError(field, 'must be an array of strings or numbers');
  if (strata.length !== n) {
    throw new CoxInputError(field, `must have one entry per subject (${n}), got ${strata.length}`);
  }
  const seen = new Map<string | number, number>();
  for (let i = 0; i < n; i++) {
    const label = strata[i];
    if (!(typeof label === 'string' || (typeof label === 'number' && Number.isFinite(label)))) {
      throw new CoxInputError(
        `${field}[${i}]`,
        `is ${String(label)}; strata must be strings or finite numbers`,
      );
    }
    let s = seen.get(label);
    if (s === undefined) {
      s = seen.size;
      seen.set(label, s);
    }
    index[i] = s;
  }
  return index;
}

function checkRawInput(input: CoxPhInput): CoxObservations {
  if (typeof input !== 'object' || input === null) {
    throw new CoxInputError('input', 'must be { time, event, covariates, strata? }');
  }
  const { time, event, covariates } = input;
  if (!isArrayLike(time)) throw new CoxInputError('time', 'must be an array of numbers');
  if (!isArrayLike(event)) throw new CoxInputError('event', 'must be an array of booleans');
  const n = time.length;
  if (n === 0) throw new CoxInputError('time', 'is empty; at least one subject is needed');
  if (event.length !== n) {
    throw new CoxInputError('event', `must have the same length as time (${n}), got ${event.length}`);
  }
  if (typeof covariates !== 'object' || covariates === null || Array.isArray(covariates)) {
    throw new CoxInputError('covariates', 'must be an object of covariate name → values');
  }
  const names = Object.keys(covariates);
  if (names.length === 0) throw new CoxInputError('covariates', 'is empty; at least one covariate is needed');
  const columns = names.map((name) => {
    const column = covariates[name];
    if (!isArrayLike(column)) throw new CoxInputError(`covariates.${name}`, 'must be an array of numbers');
    if (column.length !== n) {
      throw new CoxInputError(
        `covariates.${name}`,
        `must have the same length as time (${n}), got ${column.length}`,
      );
    }
    for (let i = 0; i < n; i++) {
      if (!Number.isFinite(column[i])) {
        throw new CoxInputError(
          `covariates.${name}[${i}]`,
          `is ${String(column[i])}; values must be finite numbers`,
        );
      }
    }
    return column;
  });
  const status = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const t = time[i];
    if (!(typeof t === 'number' && t >= 0 && t < Number.POSITIVE_INFINITY)) {
      throw new CoxInputError(`time[${i}]`, `is ${String(t)}; times must be finite numbers ≥ 0`);
    }
    const e = event[i];
    if (e !== true && e !== false) {
      throw new CoxInputError(`event[${i}]`, `is ${String(e)}; events must be true or false`);
    }
    status[i] = e ? 1 : 0;
  }
  return {
    time,
    status,
    weight: new Float64Array(n).fill(1),
    stratum: stratumIndices(input.strata, n, 'strata'),
    names,
    covariates: columns,
  };
}

/** R's `aeqSurv` (coxph's `timefix = TRUE`): times closer than sqrt(eps) become one time. */
function mergeNearTies(time: ArrayLike<number>): Float64Array {
  const out = Float64Array.from(time, (t) => (t === 0 ? 0 : t));
  const distinct = Float64Array.from(out).sort();
  let m = 0;
  for (let i = 0; i < distinct.length; i++)
    if (i === 0 || distinct[i] !== distinct[i - 1]) distinct[m++] = distinct[i]!;
  const pooled = distinct.subarray(0, m);
  const heads = nearTieHeads(pooled);
  if (heads === null) return out;
  const canonical = new Map<number, number>();
  for (let i = 0; i < m; i++) canonical.set(pooled[i]!, pooled[heads[i]!]!);
  for (let i = 0; i < out.length; i++) out[i] = canonical.get(out[i]!)!;
  return out;
}

/** Sorts by stratum then time (R's `order(strata, time)`) and marks the last row of each stratum. */
function sortRows(observations: CoxObservations): CoxRows {
  const time = mergeNearTies(observations.time);
  const n = time.length;
  const { stratum } = observations;
  const order = Array.from({ length: n }, (_, i) => i);
  order.sort((i, j) => stratum[i]! - stratum[j]! || time[i]! - time[j]! || i - j);
  const lastOfStratum = new Uint8Array(n);
  for (let r = 0; r < n; r++) {
    if (r === n - 1 || stratum[order[r]!] !== stratum[order[r + 1]!]) lastOfStratum[r] = 1;
  }
  return {
    time: Float64Array.from(order, (i) => time[i]!),
    status: Uint8Array.from(order, (i) => observations.status[i]!),
    weight: Float64Array.from(order, (i) => observations.weight[i]!),
    lastOfStratum,
    covariates: observations.covariates.map((column) => Float64Array.from(order, (i) => column[i]!)),
  };
}

function test(chiSq: number, df: number): ChiSquareTest {
  return { chiSq, df, pValue: chiSquareUpperTail(chiSq, df) };
}

/** Wald statistic b' V⁻¹ b as R's `coxph.wtest` (its cholesky2 with toler.chol). */
function waldStatistic(variance: readonly number[][], coef: readonly number[]): number {
  const nvar = coef.length;
  const factor = variance.map((row) => [...row]);
  cholesky2(factor, nvar, COX_CONTROL.tolerChol);
  const solve = [...coef];
  chsolve2(factor, nvar, solve);
  let sum = 0;
  for (let i = 0; i < nvar; i++) sum += coef[i]! * solve[i]!;
  return sum;
}

/** R's checks after the fit (`coxph.fit`): coefficients whose loglik converged before they did. */
function infiniteWarnings(fit: CoxFit, names: readonly string[], linearPredictor: Float64Array): string[] {
  const nvar = names.length;
  const infs = names.map((_, j) => {
    let sum = 0;
    for (let i = 0; i < nvar; i++) sum += fit.score[i]! * fit.variance[i]![j]!;
    return Math.abs(sum);
  });
  if (fit.flag === 1000) {
    const warnings = ['Ran out of iterations and did not converge'];
    let maxLp = Number.NEGATIVE_INFINITY;
    for (const lp of linearPredictor) maxLp = Math.max(maxLp, lp);
    if (maxLp > 500 || infs.some((x) => !Number.isFinite(x))) {
      warnings.push('one or more coefficients may be infinite');
    }
    return warnings;
  }
  const flagged = names.filter(
    (_, j) =>
      !Number.isFinite(fit.score[j]!) ||
      (infs[j]! > COX_CONTROL.eps && infs[j]! > COX_CONTROL.tolerInf * Math.abs(fit.coef[j]!)),
  );
  if (flagged.length === 0) return [];
  const positions = flagged.map((name) => names.indexOf(name) + 1).join(',');
  return [
    `Loglik converged before variable ${positions} (${flagged.join(', ')}); coefficient may be infinite.`,
  ];
}

/** Fits and summarises rows already checked for shape; shared by the raw and the aggregated forms. */
export function coxFromObservations(observations: CoxObservations, ties: CoxTies): CoxPhResult {
  if (ties !== 'efron' && ties !== 'breslow') {
    throw new CoxInputError('ties', `is ${String(ties)}; must be 'efron' or 'breslow'`);
  }
  const { names } = observations;
  const rows = sortRows(observations);
  const nrows = rows.time.length;
  let n = 0;
  let events = 0;
  for (let i = 0; i < nrows; i++) {
    n += rows.weight[i]!;
    if (rows.status[i] === 1) events += rows.weight[i]!;
  }
  if (events === 0) throw new CoxInputError('event', 'has no events; at least one event is needed');
  rows.covariates.forEach((column, v) => {
    let varies = false;
    for (let i = 1; i < nrows && !varies; i++) varies = column[i] !== column[0];
    if (!varies) {
      throw new CoxInputError(`covariates.${names[v]}`, `is constant (${column[0]}); a covariate must vary`);
    }
  });

  const fit = fitCox(rows, ties === 'efron');
  if (fit.initialRank < names.length) {
    const redundant = names.filter((_, v) => fit.redundant[v]);
    throw new CoxInputError(
      `covariates.${redundant.join(', covariates.')}`,
      'is a linear combination of the other covariates (collinear, or constant within every stratum)',
    );
  }

  const linearPredictor = new Float64Array(nrows);
  let shift = 0;
  for (let v = 0; v < names.length; v++) shift += fit.coef[v]! * fit.means[v]!;
  for (let i = 0; i < nrows; i++) {
    let lp = 0;
    for (let v = 0; v < names.length; v++) lp += rows.covariates[v]![i]! * fit.coef[v]!;
    linearPredictor[i] = lp - shift;
  }

  const zCritical = normalQuantile(0.975);
  const terms = names.map((name, v): CoxTerm => {
    const coef = fit.coef[v]!;
    const se = Math.sqrt(fit.variance[v]![v]!);
    const z = coef / se;
    return {
      name,
      coef,
      se,
      hazardRatio: Math.exp(coef),
      lower: Math.exp(coef - zCritical * se),
      upper: Math.exp(coef + zCritical * se),
      z,
      pValue: chiSquareUpperTail(z * z, 1),
    };
  });
  const df = names.length;
  return {
    terms,
    loglik: [fit.loglik[0], fit.loglik[1]],
    likelihoodRatio: test(-2 * (fit.loglik[0] - fit.loglik[1]), df),
    wald: test(waldStatistic(fit.variance, fit.coef), df),
    score: test(fit.scoreTest, df),
    concordance: coxConcordance(rows, linearPredictor),
    n,
    events,
    iterations: fit.iterations,
    ties,
    converged: fit.flag !== 1000,
    warnings: infiniteWarnings(fit, names, linearPredictor),
  };
}

export function coxPh(input: CoxPhInput, options: CoxPhOptions = {}): CoxPhResult {
  return coxFromObservations(checkRawInput(input), options.ties ?? 'efron');
}
