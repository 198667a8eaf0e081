/**
 * LF-TID v1 parameters (MODEL.md §4): names, defaults, physical domains, validation and hashing.
 *
 * Every name here is the public name of the parameter (sweep specs, overrides, API, exports, DB).
 * A σ (between-patient log-normal spread) parameter is the parameter name plus `Sigma`.
 */
import { hash } from 'node:crypto';
import { z } from 'zod';

export const modelId = 'lf-tid@1';

/** Days of model time within which a patient must reach diagnosis (MODEL.md §3, phase 0). */
export const PRE_DIAGNOSIS_LIMIT_DAYS = 20 * 365.25;
/** Upper bound on the number of steps per phase, so that no parameter point can hang a worker. */
export const MAX_STEPS_PER_PHASE = 2_000_000;

export interface ModelParams {
  /** r_F follower net growth rate, d⁻¹ (population median). */
  readonly growthRate: number;
  readonly growthRateSigma: number;
  /** ρ_L = r_L / r_F. */
  readonly leaderGrowthRatio: number;
  /** φ_loss, fraction of births offset by cell loss (sets the stochastic birth/death split). */
  readonly cellLossFactor: number;
  /** K_P, cells. */
  readonly capacityPrimary: number;
  /** K_M, cells. */
  readonly capacityMetastatic: number;
  /** N_start, cells at tumour initiation. */
  readonly startCells: number;
  /** N_dx, primary burden at diagnosis (population median), cells. */
  readonly diagnosisCells: number;
  readonly diagnosisCellsSigma: number;
  /** N_death, lethal total burden, cells. */
  readonly lethalCells: number;
  /** N_det, detectable lesion, cells. */
  readonly detectableCells: number;
  /** k⁰_FL, d⁻¹. */
  readonly followerToLeaderRate: number;
  /** k⁰_LF, d⁻¹. */
  readonly leaderToFollowerRate: number;
  /** p, EMT plasticity (axis; population median). */
  readonly emtPlasticity: number;
  readonly emtPlasticitySigma: number;
  /** α_ind, drug-induced switching. */
  readonly drugInducedSwitching: number;
  /** c₀, dose (axis): peak concentration per bolus in EC50 units. */
  readonly dose: number;
  /** k_e, drug elimination rate, d⁻¹ (population median). */
  readonly eliminationRate: number;
  readonly eliminationRateSigma: number;
  /** E_max, maximal drug kill rate, d⁻¹ (population median). */
  readonly maxDrugKill: number;
  readonly maxDrugKillSigma: number;
  /** σ_L, leader drug sensitivity relative to followers. */
  readonly leaderDrugSensitivity: number;
  /** τ, days between boluses. */
  readonly cycleDays: number;
  /** n_cyc, number of boluses (integer). */
  readonly cycles: number;
  /** h, Hill coefficient. */
  readonly hill: number;
  /** K_E, drug kill of effectors, d⁻¹. */
  readonly drugEffectorKill: number;
  /** k_I, immune kill rate (axis; population median), d⁻¹. */
  readonly immuneKill: number;
  readonly immuneKillSigma: number;
  /** d_E, effector turnover, d⁻¹. */
  readonly effectorTurnover: number;
  /** p_E, effector recruitment, d⁻¹. */
  readonly effectorRecruitment: number;
  /** g, half-saturation burden, cells. */
  readonly effectorHalfSaturation: number;
  /** E_max,eff, effector cap (units of healthy homeostasis). */
  readonly effectorCap: number;
  /** ε_L, leader immune visibility. */
  readonly leaderImmuneVisibility: number;
  /** β_S, leader immune suppression. */
  readonly leaderSuppression: number;
  /** q, seeding rate, d⁻¹ per leader. */
  readonly seedingRate: number;
  /** θ_F, follower invasiveness relative to leaders. */
  readonly followerInvasiveness: number;
  /** n₀, cells per seeding cluster (integer). */
  readonly clusterSize: number;
  /** N_sw, below this a site is simulated stochastically, cells. */
  readonly stochasticThreshold: number;
  /** Δt after diagnosis, days. */
  readonly stepDays: number;
  /** Δt_pre before diagnosis, days. */
  readonly preStepDays: number;
  /** t_max, follow-up horizon from diagnosis, days. */
  readonly horizonDays: number;
}

export type ParamName = keyof ModelParams;

/** Physical domain of one parameter. */
export interface Domain {
  readonly gt?: number;
  readonly gte?: number;
  readonly lt?: number;
  readonly lte?: number;
  readonly integer?: boolean;
}

export interface ParamSpec extends Domain {
  readonly name: ParamName;
  readonly default: number;
}

// Generous upper bounds that keep every product in the kernel finite (no overflow → no NaN).
const RATE: Domain = { gte: 0, lte: 1e6 };
const POS_RATE: Domain = { gt: 0, lte: 1e6 };
const CELLS: Domain = { gt: 0, lte: 1e50 };
const SIGMA: Domain = { gte: 0, lte: 5 };
const FACTOR: Domain = { gte: 0, lte: 1e6 };

/** Parameters in MODEL.md §4 order; each σ directly after its parameter. */
export const SPECS: readonly ParamSpec[] = [
  { name: 'growthRate', default: 0.025, ...RATE },
  { name: 'growthRateSigma', default: 0.4, ...SIGMA },
  { name: 'leaderGrowthRatio', default: 0.5, ...FACTOR },
  { name: 'cellLossFactor', default: 0.8, gte: 0, lt: 1 },
  { name: 'capacityPrimary', default: 1e11, ...CELLS },
  { name: 'capacityMetastatic', default: 2e12, ...CELLS },
  { name: 'startCells', default: 1e6, gte: 1, lte: 1e50 },
  { name: 'diagnosisCells', default: 6.5e9, ...CELLS },
  { name: 'diagnosisCellsSigma', default: 0.5, ...SIGMA },
  { name: 'lethalCells', default: 1e12, ...CELLS },
  { name: 'detectableCells', default: 1e9, ...CELLS },
  { name: 'followerToLeaderRate', default: 0.005, ...RATE },
  { name: 'leaderToFollowerRate', default: 0.045, ...RATE },
  { name: 'emtPlasticity', default: 1, ...FACTOR },
  { name: 'emtPlasticitySigma', default: 0.3, ...SIGMA },
  { name: 'drugInducedSwitching', default: 3, ...FACTOR },
  { name: 'dose', default: 2, gte: 0, lte: 1e6 },
  { name: 'eliminationRate', default: 0.9, ...POS_RATE },
  { name: 'eliminationRateSigma', default: 0.3, ...SIGMA },
  { name: 'maxDrugKill', default: 0.9, ...RATE },
  { name: 'maxDrugKillSigma', default: 0.3, ...SIGMA },
  { name: 'leaderDrugSensitivity', default: 0.1, ...FACTOR },
  { name: 'cycleDays', default: 21, gt: 0, lte: 1e6 },
  { name: 'cycles', default: 6, gte: 0, lte: 1e6, integer: true },
  { name: 'hill', default: 1, gt: 0, lte: 100 },
  { name: 'drugEffectorKill', default: 0.6, ...RATE },
  { name: 'immuneKill', default: 0.035, ...RATE },
  { name: 'immuneKillSigma', default: 0.5, ...SIGMA },
  { name: 'effectorTurnover', default: 0.0412, ...RATE },
  { name: 'effectorRecruitment', default: 0.1245, ...RATE },
  { name: 'effectorHalfSaturation', default: 2.019e7, ...CELLS },
  { name: 'effectorCap', default: 10, gt: 0, lte: 1e6 },
  { name: 'leaderImmuneVisibility', default: 0.3, ...FACTOR },
  { name: 'leaderSuppression', default: 1, ...FACTOR },
  { name: 'seedingRate', default: 1e-5, ...RATE },
  { name: 'followerInvasiveness', default: 0.01, ...FACTOR },
  { name: 'clusterSize', default: 10, gte: 1, lte: 1e9, integer: true },
  { name: 'stochasticThreshold', default: 1e4, gte: 0, lte: 1e15 },
  { name: 'stepDays', default: 0.25, gt: 0, lte: 1e4 },
  { name: 'preStepDays', default: 1, gt: 0, lte: 1e4 },
  { name: 'horizonDays', default: 730, gt: 0, lte: 1e6 },
];

/** All parameter names, in MODEL.md §4 order. */
export const paramNames: readonly ParamName[] = Object.freeze(SPECS.map((s) => s.name));

/** The σ-varied (per-patient log-normal) parameters, in the order their normals are drawn. */
export const sampledParamNames = Object.freeze([
  'growthRate',
  'diagnosisCells',
  'emtPlasticity',
  'eliminationRate',
  'maxDrugKill',
  'immuneKill',
] as const);
export type SampledParamName = (typeof sampledParamNames)[number];

export const defaultParams: Readonly<ModelParams> = Object.freeze(
  Object.fromEntries(SPECS.map((s) => [s.name, s.default])) as unknown as ModelParams,
);

function fmt(v: number): string {
  return String(v);
}

/** Human-readable domain rule, e.g. "must be ≥ 0 and < 1". */
export function domainText(d: Domain): string {
  const parts: string[] = [];
  if (d.gt !== undefined) parts.push(`> ${fmt(d.gt)}`);
  if (d.gte !== undefined) parts.push(`≥ ${fmt(d.gte)}`);
  if (d.lt !== undefined) parts.push(`< ${fmt(d.lt)}`);
  if (d.lte !== undefined) parts.push(`≤ ${fmt(d.lte)}`);
  return parts.length ? `must be ${parts.join(' and ')}` : '';
}

const FINITE = 'must be a finite number';

export function fieldSchema(spec: Domain): z.ZodType<number> {
  let s = z.number({ error: FINITE });
  if (spec.integer) s = s.int({ error: 'must be an integer' });
  if (spec.gt !== undefined) s = s.gt(spec.gt, { error: `must be > ${fmt(spec.gt)}` });
  if (spec.gte !== undefined) s = s.gte(spec.gte, { error: `must be ≥ ${fmt(spec.gte)}` });
  if (spec.lt !== undefined) s = s.lt(spec.lt, { error: `must be < ${fmt(spec.lt)}` });
  if (spec.lte !== undefined) s = s.lte(spec.lte, { error: `must be ≤ ${fmt(spec.lte)}` });
  return s;
}

/** A Domain with every bound present (∓∞ where absent), so one check fits every parameter. */
export interface NumberRange {
  readonly gt: number;
  readonly gte: number;
  readonly lt: number;
  readonly lte: number;
  readonly integer: boolean;
}

export function numberRange(d: Domain): NumberRange {
  return {
    gt: d.gt ?? Number.NEGATIVE_INFINITY,
    gte: d.gte ?? Number.NEGATIVE_INFINITY,
    lt: d.lt ?? Number.POSITIVE_INFINITY,
    lte: d.lte ?? Number.POSITIVE_INFINITY,
    integer: d.integer === true,
  };
}

/**
 * What `fieldSchema(domain)` accepts, checked without a zod parse per value: a finite number within
 * the bounds, a safe integer where one is required. Callers trust only an accept; a refused value goes
 * through zod again, for its message.
 */
export function inRange(r: NumberRange, x: unknown): x is number {
  return (
    typeof x === 'number' &&
    Number.isFinite(x) &&
    x > r.gt &&
    x >= r.gte &&
    x < r.lt &&
    x <= r.lte &&
    (!r.integer || Number.isSafeInteger(x))
  );
}

/** zod schema of a complete, resolved parameter set (every name required, no unknown names). */
export const modelParamsSchema = z.strictObject(
  Object.fromEntries(SPECS.map((s) => [s.name, fieldSchema(s)])) as Record<ParamName, z.ZodType<number>>,
);

/** Human-readable description of each parameter's domain (for docs and API schemas). */
export const paramDomains: Readonly<Record<ParamName, string>> = Object.freeze(
  Object.fromEntries(
    SPECS.map((s) => [
      s.name,
      [s.integer ? 'must be an integer' : '', domainText(s)].filter(Boolean).join('; '),
    ]),
  ) as Record<ParamName, string>,
);

/** Parameter overrides by name (validated at run time: unknown names and bad values are reported). */
export type ParamOverrides = Record<string, unknown> | Partial<ModelParams>;

export interface ParamProblem {
  param: string;
  rule: string;
}

export class ParamError extends Error {
  readonly param: string;
  readonly rule: string;
  readonly value: unknown;
  /** Every problem found (the first one is `param`/`rule`). */
  readonly problems: ParamProblem[];
  constructor(param: string, rule: string, value?: unknown, problems?: ParamProblem[]) {
    super(`${param}: ${rule}${value === undefined ? '' : ` (got ${showValue(value)})`}`);
    this.name = 'ParamError';
    this.param = param;
    this.rule = rule;
    this.value = value;
    this.problems = problems ?? [{ param, rule }];
  }
}

function showValue(v: unknown): string {
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === null) return 'null';
  if (typeof v === 'object') {
    try {
      return JSON.stringify(v);
    } catch {
      return 'object';
    }
  }
  return String(v);
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * Dominant (Perron) growth rate of the linear follower/leader system without crowding, drug or
 * immune kill: eigenvalue of [[r_F − a, b], [a, r_L − b]] with a = p·k⁰_FL, b = k⁰_LF (MODEL.md V4).
 */
export function dominantGrowthRate(rF: number, rL: number, a: number, b: number): number {
  const m11 = rF - a;
  const m22 = rL - b;
  const tr = m11 + m22;
  const disc = (m11 - m22) * (m11 - m22) + 4 * a * b;
  return 0.5 * (tr + Math.sqrt(disc));
}

/** Relations between parameters that single-field domains cannot express. */
export function crossProblems(p: Omit<ModelParams, 'cycleDays'>): ParamProblem[] {
  const out: ParamProblem[] = [];
  if (p.horizonDays / p.stepDays > MAX_STEPS_PER_PHASE) {
    out.push({
      param: 'stepDays',
      rule: `must be ≥ horizonDays / ${MAX_STEPS_PER_PHASE} = ${fmt(p.horizonDays / MAX_STEPS_PER_PHASE)} (at most ${MAX_STEPS_PER_PHASE} steps)`,
    });
  }
  if (PRE_DIAGNOSIS_LIMIT_DAYS / p.preStepDays > MAX_STEPS_PER_PHASE) {
    out.push({
      param: 'preStepDays',
      rule: `must be ≥ ${fmt(PRE_DIAGNOSIS_LIMIT_DAYS / MAX_STEPS_PER_PHASE)} (at most ${MAX_STEPS_PER_PHASE} steps over the 20-year pre-diagnosis window)`,
    });
  }
  const dtMax = Math.max(p.stepDays, p.preStepDays);
  if ((p.effectorTurnover + p.effectorRecruitment) * dtMax > 1) {
    out.push({
      param: 'effectorTurnover',
      rule: '(effectorTurnover + effectorRecruitment) × max(stepDays, preStepDays) must be ≤ 1 (explicit effector update)',
    });
  }
  if (p.startCells < p.diagnosisCells) {
    if (p.diagnosisCells >= p.lethalCells) {
      out.push({
        param: 'lethalCells',
        rule: 'must be > diagnosisCells (every patient would die before diagnosis)',
      });
    }
    if (p.diagnosisCells >= p.capacityPrimary) {
      out.push({
        param: 'diagnosisCells',
        rule: 'must be < capacityPrimary (the primary could never grow to diagnosis)',
      });
    } else {
      const rF = p.growthRate;
      const r = dominantGrowthRate(
        rF,
        rF * p.leaderGrowthRatio,
        p.emtPlasticity * p.followerToLeaderRate,
        p.leaderToFollowerRate,
      );
      const K = p.capacityPrimary;
      const days =
        r > 0
          ? Math.log(((p.diagnosisCells / p.startCells) * (K - p.startCells)) / (K - p.diagnosisCells)) / r
          : Number.POSITIVE_INFINITY;
      if (!(days <= PRE_DIAGNOSIS_LIMIT_DAYS)) {
        out.push({
          param: 'growthRate',
          rule: `too slow: the median patient would need ${Number.isFinite(days) ? `${Math.round(days)} days` : 'forever'} to grow from startCells to diagnosisCells (limit ${PRE_DIAGNOSIS_LIMIT_DAYS} days)`,
        });
      }
    }
  }
  return out;
}

interface Checked {
  problems: ParamProblem[];
  values: Record<string, unknown>;
  merged?: ModelParams;
}

function check(overrides: unknown): Checked {
  if (overrides === undefined || overrides === null) overrides = {};
  if (!isPlainObject(overrides)) {
    return {
      problems: [{ param: '(overrides)', rule: 'must be an object of parameter values' }],
      values: {},
    };
  }
  const merged: Record<string, unknown> = { ...defaultParams, ...overrides };
  const res = modelParamsSchema.safeParse(merged);
  if (res.success) {
    const problems = crossProblems(res.data as ModelParams);
    return { problems, values: merged, merged: res.data as ModelParams };
  }
  const problems: ParamProblem[] = [];
  const seen = new Set<string>();
  for (const issue of res.error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const k of issue.keys) problems.push({ param: k, rule: 'unknown parameter' });
      continue;
    }
    const param = String(issue.path[0] ?? '(overrides)');
    if (seen.has(param)) continue; // one rule per parameter is enough
    seen.add(param);
    problems.push({ param, rule: issue.message });
  }
  // Report in a stable order: unknown names first (as given), then known names in §4 order.
  const order = new Map<string, number>(paramNames.map((n, i) => [n, i]));
  problems.sort((a, b) => (order.get(a.param) ?? -1) - (order.get(b.param) ?? -1));
  return { problems, values: merged };
}

/** All problems with a set of overrides (merged over the defaults), without throwing. */
export function validateParams(overrides: ParamOverrides): ParamProblem[] {
  return check(overrides).problems;
}

/** Parameter sets produced by `resolveParams` (frozen, known valid): the kernel skips re-validation. */
const resolved = new WeakSet<object>();

/**
 * Merge overrides over `defaultParams` and validate. Throws `ParamError` naming the first problem
 * (all problems are in `error.problems`). The result is frozen.
 */
export function resolveParams(overrides: ParamOverrides = {}): ModelParams {
  const { problems, values, merged } = check(overrides);
  if (problems.length > 0 || !merged) {
    const first = problems[0] ?? { param: '(overrides)', rule: 'invalid' };
    throw new ParamError(first.param, first.rule, values[first.param], problems);
  }
  // Normalise −0 to 0 so that it hashes and behaves like 0.
  const out: Record<string, number> = {};
  for (const name of paramNames) {
    const v = merged[name];
    out[name] = v === 0 ? 0 : v;
  }
  const frozen = Object.freeze(out) as unknown as ModelParams;
  resolved.add(frozen);
  return frozen;
}

/**
 * Validated, frozen copies of parameter objects that did not come from `resolveParams` (e.g. after a
 * structured clone into a worker thread), keyed by identity; reused only while every value is unchanged.
 */
const validatedCopies = new WeakMap<object, ModelParams>();

/**
 * Return a frozen, valid copy of a complete parameter set, else throw `ParamError`. Objects from
 * `resolveParams` are returned as they are; other objects are validated once (by the values that differ
 * from the last set validated whole, when only values differ) and re-checked by a cheap value comparison
 * on later calls.
 */
export function ensureValidParams(params: ModelParams): ModelParams {
  if (resolved.has(params)) return params;
  if (!isPlainObject(params)) throw new ParamError('(params)', 'must be an object of parameter values');
  const cached = validatedCopies.get(params);
  if (cached) {
    let same = true;
    for (const name of paramNames) {
      if (params[name] !== cached[name]) {
        same = false;
        break;
      }
    }
    if (same && Object.keys(params).length === paramNames.length) return cached;
  }
  const values = lastValidated && differingValues(params, lastValidated.params);
  let r: ModelParams;
  if (values) r = lastValidated!.resolve(values);
  else {
    for (const name of paramNames) {
      if (!(name in params)) throw new ParamError(name, 'is required (use resolveParams to fill defaults)');
    }
    r = resolveParams(params);
    lastValidated = { params: r, resolve: pointParams(pointModelV1, r, true).resolve };
  }
  validatedCopies.set(params, r);
  return r;
}

/**
 * The last parameter set validated whole here, and a resolver over it. Unmarked parameter sets (structured
 * clones, a design's points expanded for storage) mostly come as one base with a few values changed: only
 * those values are checked (pointParams' fast path, which falls back to the whole check on any doubt), as
 * for lf-tid@2 (ensureValidParamsV2).
 */
let lastValidated:
  | { params: ModelParams; resolve: (values: Record<string, number>) => ModelParams }
  | undefined;

/** The values of `params` that differ from `from`; undefined unless every parameter is named and no other key. */
function differingValues(params: ModelParams, from: ModelParams): Record<string, number> | undefined {
  if (Object.keys(params).length !== paramNames.length) return undefined;
  const values: Record<string, number> = {};
  for (const name of paramNames) {
    if (!(name in params)) return undefined;
    if (params[name] !== from[name]) values[name] = params[name];
  }
  return values;
}

/** Canonical JSON: object keys sorted, numbers in JS shortest round-trip form, −0 written as 0. */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError('canonicalJson: non-finite number');
    return JSON.stringify(value === 0 ? 0 : value);
  }
  if (typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj)
      .filter((k) => obj[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
  }
  throw new TypeError(`canonicalJson: unsupported value of type ${typeof value}`);
}

/**
 * `canonicalJson({ model: modelId, params })` of complete parameter sets of one model, with the keys
 * sorted and quoted once instead of per point: the same string, so the same content hash.
 */
export function canonicalPointJson(modelId: string, names: readonly string[]): (params: object) => string {
  const sorted = [...names].sort();
  const keys = sorted.map((name) => `${JSON.stringify(name)}:`);
  const head = `{"model":${JSON.stringify(modelId)},"params":{`;
  // The last value seen per key and its entry ('' when absent): a sweep's points share all but their
  // axis values, so most entries are reused, not formatted again (frozen arrays such as doseDays
  // compare by identity).
  const lastValues: unknown[] = sorted.map(() => undefined);
  const lastEntries: string[] = sorted.map(() => '');
  // The entries that changed, and the text between them (entries joined by commas), kept while the
  // same entries change from one point to the next: then a point's text is a few pieces, not one per
  // key (building and hashing it costs about half as much).
  let changed: number[] = [];
  let lastChanged: number[] = [];
  let runs: string[] = [];
  return (params) => {
    changed = [];
    for (let i = 0; i < sorted.length; i++) {
      const value = (params as Record<string, unknown>)[sorted[i]!];
      if (
        value !== lastValues[i] ||
        (typeof value === 'object' && value !== null && !Object.isFrozen(value))
      ) {
        lastEntries[i] = value === undefined ? '' : keys[i]! + canonicalJson(value);
        lastValues[i] = value; // after formatting: a value canonicalJson refuses is refused every time
        changed.push(i);
      }
    }
    if (!sameIndexes(changed, lastChanged)) {
      runs = [];
      let from = 0;
      for (const i of [...changed, sorted.length]) {
        runs.push(joinPresent(lastEntries.slice(from, i)));
        from = i + 1;
      }
      lastChanged = changed;
    }
    // runs[0], changed entry 0, runs[1], …, runs[changed.length]; absent entries and empty runs add no comma.
    let text = head;
    let separator = '';
    for (let k = 0; k <= changed.length; k++) {
      const run = runs[k]!;
      if (run !== '') {
        text += separator + run;
        separator = ',';
      }
      const entry = k < changed.length ? lastEntries[changed[k]!]! : '';
      if (entry !== '') {
        text += separator + entry;
        separator = ',';
      }
    }
    return `${text}}}`;
  };
}

function sameIndexes(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** The non-empty entries joined by commas, as one flat string (join, not +, so hashing it copies once). */
function joinPresent(entries: readonly string[]): string {
  return entries.filter((entry) => entry !== '').join(',');
}

const canonicalV1 = canonicalPointJson(modelId, paramNames);

/**
 * Content hash of a parameter point: hex SHA-256 of the canonical JSON of { model: modelId, params }.
 * Independent of key order and of how a number was written (1e-5 ≡ 0.00001 ≡ 1.0e-5; −0 ≡ 0).
 */
export function pointHash(params: ModelParams): string {
  return sha256Hex(canonicalV1(params));
}

/**
 * Hex SHA-256 of a string's UTF-8 bytes. The one-shot `crypto.hash` (Node ≥ 20.12) gives the same
 * digest as createHash().update().digest() without a Hash object per call (~1 µs less a point).
 */
export function sha256Hex(text: string): string {
  return hash('sha256', text, 'hex');
}

/**
 * What the per-point fast path needs of a model: its whole check (`resolve`, `validate`), its parameters'
 * ranges, its rules between parameters, and the set of params its kernel takes as checked.
 */
export interface PointParamsModel<P extends object> {
  resolve(overrides: Record<string, unknown>): P;
  validate(overrides: Record<string, unknown>): readonly ParamProblem[];
  ranges: ReadonlyMap<string, NumberRange>;
  problems(params: P): readonly ParamProblem[];
  checked: WeakSet<object>;
}

/** lf-tid@1 for pointParams. */
export const pointModelV1: PointParamsModel<ModelParams> = {
  resolve: resolveParams,
  validate: validateParams,
  ranges: new Map(SPECS.map((s) => [s.name as string, numberRange(s)])),
  problems: crossProblems,
  checked: resolved,
};

/**
 * A model's points over `shared` (a sweep's points: the spec's params, then each point's axis values), as
 * `resolve({ ...shared, ...values })` would give them. The shared part is checked once; a point checks only
 * its own values and the rules between parameters, ~50× cheaper than zod over every field: values within
 * their ranges and no problem between parameters give the shared params with those values, frozen;
 * anything else goes to the whole check, which gives the exact result or ParamError. `register`: add each
 * point to the model's set of checked params, so that simulating it in this thread checks nothing again;
 * off for points only stored and hashed (a sweep's design), where that cost ~0.6 µs of the ~6.9 a point
 * takes to resolve and hash (its WeakSet entry, and the collector's work on it). `check` decides the same without building the point: it sets the values on one scratch copy
 * of the shared params and puts theirs back (a large design is checked whole before its reply, and copying
 * ~60 parameters a point took most of that time).
 */
export function pointParams<P extends object>(
  model: PointParamsModel<P>,
  shared: ParamOverrides,
  register: boolean,
): PointParams<P> {
  const slow = (values: Record<string, number>) => model.resolve({ ...shared, ...values });
  if (!isPlainObject(shared) || model.validate(shared).length > 0)
    return {
      resolve: slow,
      check: (values) => void slow(values),
      stored(values, hash) {
        const params = slow(values);
        return { pointHash: hash(params), changes: JSON.stringify(params) };
      },
    };
  const { ranges, problems } = model;
  const checked = register ? model.checked : undefined;
  const base = { ...model.resolve(shared) } as Record<string, unknown>;
  const scratch: Record<string, unknown> = { ...base };
  const fits = (values: Record<string, number>, into: Record<string, unknown>) => {
    for (const name in values) {
      const value = values[name];
      const range = ranges.get(name);
      if (range === undefined || !inRange(range, value)) return false;
      into[name] = value === 0 ? 0 : value;
    }
    return problems(into as P).length === 0;
  };
  return {
    resolve(values) {
      // Each point copies an unfrozen base with Object.assign: spreading the frozen one took 5 to 35 µs
      // a point in V8, depending on what the process had run before.
      const out: Record<string, unknown> = Object.assign({}, base);
      if (!fits(values, out)) return slow(values);
      const frozen = Object.freeze(out) as P;
      checked?.add(frozen);
      return frozen;
    },
    check(values) {
      let fast = false;
      try {
        fast = fits(values, scratch);
      } finally {
        // Only names with a range were set, and every one of them is in the base.
        for (const name in values) if (ranges.has(name)) scratch[name] = base[name];
      }
      if (!fast) slow(values);
    },
    stored(values, hash) {
      let changes = '';
      try {
        if (fits(values, scratch)) {
          for (const name in values) {
            const value = scratch[name];
            // Unequal numbers always print differently; −0 was made 0 by fits.
            if (value !== base[name])
              changes += `${changes === '' ? '' : ','}${JSON.stringify(name)}:${JSON.stringify(value)}`;
          }
          return { pointHash: hash(scratch as P), changes: `{${changes}}` };
        }
      } finally {
        for (const name in values) if (ranges.has(name)) scratch[name] = base[name];
      }
      const params = slow(values);
      return { pointHash: hash(params), changes: paramChanges(params, base) };
    },
    base: Object.freeze({ ...base }),
  };
}

/** What pointParams gives for a sweep's shared overrides. */
export interface PointParams<P extends object> {
  /** A point's whole parameters, checked. */
  resolve(values: Record<string, number>): P;
  /** resolve's check alone: the same ParamError, or nothing. */
  check(values: Record<string, number>): void;
  /**
   * What storing a point needs, without building it: `hash` of its whole parameters (given an object
   * with the same entries as resolve's; not to be kept), and the JSON object of its parameters that differ
   * from `base`. Throws resolve's ParamError.
   */
  stored(values: Record<string, number>, hash: (params: P) => string): StoredPoint;
  /**
   * The shared overrides resolved (no point's values); undefined if they break a rule on their own (then
   * `changes` holds every parameter).
   */
  base?: Readonly<Record<string, unknown>>;
}

/** A point as stored: its content address and its parameters as differences from a base. */
export interface StoredPoint {
  pointHash: string;
  /** The JSON object of the parameters that differ from the base's (all of them when there is no base). */
  changes: string;
}

/**
 * The JSON object of the entries of `params` whose JSON differs from `base`'s (an entry `base` lacks
 * counts as differing). Written directly: it is built once per point.
 */
export function paramChanges(params: object, base: Readonly<Record<string, unknown>>): string {
  const own = params as Record<string, unknown>;
  let changed = '';
  for (const key in own) {
    const value = own[key];
    if (Object.hasOwn(base, key)) {
      const was = base[key];
      if (value === was) continue;
      // Unequal numbers always print differently (−0 and 0 are equal above); other values may not.
      const numbers = typeof value === 'number' && typeof was === 'number';
      if (!numbers && JSON.stringify(value) === JSON.stringify(was)) continue;
    }
    changed += `${changed === '' ? '' : ','}${JSON.stringify(key)}:${JSON.stringify(value)}`;
  }
  return `{${changed}}`;
}
