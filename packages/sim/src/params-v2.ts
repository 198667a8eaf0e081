/**
 * LF-TID v2 parameters (docs/model-v2.md §5): v1's catalogue with `cycleDays` renamed `doseInterval`,
 * plus the schedule, myelosuppression, protocol and assessment parameters. Every value is a number
 * except `doseDays` (an explicit schedule: ascending days, empty = the interval schedule).
 */
import { z } from 'zod';
import {
  canonicalPointJson,
  crossProblems,
  type Domain,
  domainText,
  fieldSchema,
  isPlainObject,
  type ModelParams,
  numberRange,
  ParamError,
  type ParamProblem,
  type PointParamsModel,
  pointParams,
  SPECS,
  sha256Hex,
} from './params.js';

export const modelIdV2 = 'lf-tid@2';

/** Longest explicit schedule accepted. */
export const MAX_DOSE_DAYS = 200;

export interface ModelParamsV2 extends Omit<ModelParams, 'cycleDays'> {
  /** τ, days between administrations (v1's `cycleDays`). */
  readonly doseInterval: number;
  /** Explicit administration days (ascending, ≥ 0); empty = every `doseInterval` days, `cycles` times. */
  readonly doseDays: readonly number[];
  /** Infusion duration in hours; 0 = bolus. */
  readonly infusionHours: number;
  /** 1 = treatment stops at the first (scan-confirmed) progression. */
  readonly stopAtProgression: number;
  /** 1 = simulate the marrow (Friberg) and the protocol rules; 0 = no toxicity. */
  readonly toxicity: number;
  /** Circ₀, baseline absolute neutrophil count, 10⁹/L (population median). */
  readonly baselineNeutrophils: number;
  readonly baselineNeutrophilsSigma: number;
  /** MTT, mean transit time of the marrow, days (population median). */
  readonly meanTransitTime: number;
  readonly meanTransitTimeSigma: number;
  /** γ, feedback exponent of (Circ₀/Circ)^γ. */
  readonly neutrophilFeedback: number;
  /** Slope of the linear drug effect on proliferation, per EC50 unit (population median). */
  readonly myelotoxicity: number;
  readonly myelotoxicitySigma: number;
  /** ANC (10⁹/L) required to give a due dose; below it the dose is delayed. */
  readonly doseDelayNeutrophils: number;
  /** Fraction of the full dose removed per reduction level. */
  readonly doseReductionStep: number;
  /** Reductions allowed; a grade-4 nadir after that many stops treatment. */
  readonly maxDoseReductions: number;
  /** h_FN, hazard of death while ANC < 0.5·10⁹/L, d⁻¹. */
  readonly febrileDeathHazard: number;
  /** Days between scans; 0 = continuous observation (v1 event rules). */
  readonly scanIntervalDays: number;
}

export type ParamNameV2 = keyof ModelParamsV2;

export interface NumberSpecV2 extends Domain {
  readonly name: Exclude<ParamNameV2, 'doseDays'>;
  readonly default: number;
}

const SIGMA: Domain = { gte: 0, lte: 5 };
const FLAG: Domain = { gte: 0, lte: 1, integer: true };

/** v2's own parameters (docs/model-v2.md §5), after v1's. */
const NEW_SPECS: readonly NumberSpecV2[] = [
  { name: 'infusionHours', default: 0, gte: 0, lte: 24 * 365 },
  { name: 'stopAtProgression', default: 1, ...FLAG },
  { name: 'toxicity', default: 1, ...FLAG },
  { name: 'baselineNeutrophils', default: 5, gt: 0, lte: 1e3 },
  { name: 'baselineNeutrophilsSigma', default: 0.3, ...SIGMA },
  { name: 'meanTransitTime', default: 4.5, gt: 0, lte: 1e3 },
  { name: 'meanTransitTimeSigma', default: 0.15, ...SIGMA },
  { name: 'neutrophilFeedback', default: 0.17, gte: 0, lte: 2 },
  { name: 'myelotoxicity', default: 1, gte: 0, lte: 1e6 },
  { name: 'myelotoxicitySigma', default: 0.3, ...SIGMA },
  { name: 'doseDelayNeutrophils', default: 1.5, gte: 0, lte: 1e3 },
  { name: 'doseReductionStep', default: 0.25, gte: 0, lt: 1 },
  { name: 'maxDoseReductions', default: 2, gte: 0, lte: 100, integer: true },
  { name: 'febrileDeathHazard', default: 0.01, gte: 0, lte: 1e3 },
  { name: 'scanIntervalDays', default: 42, gte: 0, lte: 1e6 },
];

/** v1's numeric specs with `cycleDays` renamed `doseInterval`, then v2's. */
export const NUMBER_SPECS: readonly NumberSpecV2[] = [
  ...SPECS.map((s) =>
    s.name === 'cycleDays' ? { ...s, name: 'doseInterval' as const } : (s as unknown as NumberSpecV2),
  ),
  ...NEW_SPECS,
];

/** All v2 parameter names: v1's order (doseInterval in cycleDays' place), doseDays, then v2's own. */
export const paramNamesV2: readonly ParamNameV2[] = Object.freeze([
  ...NUMBER_SPECS.slice(0, SPECS.length).map((s) => s.name),
  'doseDays' as const,
  ...NEW_SPECS.map((s) => s.name),
]);

/** The σ-varied parameters of v2 beyond v1's six, in the order their normals are drawn. */
export const sampledParamNamesV2Extra = Object.freeze([
  'baselineNeutrophils',
  'meanTransitTime',
  'myelotoxicity',
] as const);

export const defaultParamsV2: Readonly<ModelParamsV2> = Object.freeze({
  ...Object.fromEntries(NUMBER_SPECS.map((s) => [s.name, s.default])),
  doseDays: Object.freeze([] as number[]),
} as unknown as ModelParamsV2);

const DOSE_DAYS_RULE = `must be a list of at most ${MAX_DOSE_DAYS} strictly ascending days, each a finite number ≥ 0`;

const doseDaysSchema = z
  .array(
    z.number({ error: DOSE_DAYS_RULE }).gte(0, { error: DOSE_DAYS_RULE }).lte(1e6, { error: DOSE_DAYS_RULE }),
    {
      error: DOSE_DAYS_RULE,
    },
  )
  .max(MAX_DOSE_DAYS, { error: DOSE_DAYS_RULE })
  .refine((d) => d.every((x, i) => i === 0 || x > d[i - 1]!), { error: DOSE_DAYS_RULE });

/** zod schema of a complete, resolved v2 parameter set. */
export const modelParamsSchemaV2 = z.strictObject({
  ...(Object.fromEntries(NUMBER_SPECS.map((s) => [s.name, fieldSchema(s)])) as Record<
    Exclude<ParamNameV2, 'doseDays'>,
    z.ZodType<number>
  >),
  doseDays: doseDaysSchema,
});

/** Human-readable domain of each v2 parameter. */
export const paramDomainsV2: Readonly<Record<ParamNameV2, string>> = Object.freeze({
  ...Object.fromEntries(
    NUMBER_SPECS.map((s) => [
      s.name,
      [s.integer ? 'must be an integer' : '', domainText(s)].filter(Boolean).join('; '),
    ]),
  ),
  doseDays: DOSE_DAYS_RULE,
} as Record<ParamNameV2, string>);

/** Smallest gap between planned administrations (∞ for a single one). */
function smallestGap(p: ModelParamsV2): number {
  if (p.doseDays.length === 0) return p.cycles > 1 ? p.doseInterval : Number.POSITIVE_INFINITY;
  let gap = Number.POSITIVE_INFINITY;
  for (let i = 1; i < p.doseDays.length; i++) gap = Math.min(gap, p.doseDays[i]! - p.doseDays[i - 1]!);
  return gap;
}

function crossProblemsV2(p: ModelParamsV2): ParamProblem[] {
  const out = crossProblems(p);
  if (p.infusionHours / 24 > smallestGap(p)) {
    out.push({
      param: 'infusionHours',
      rule: `must be ≤ 24 × the shortest gap between doses (${smallestGap(p)} d): an infusion must end before the next dose`,
    });
  }
  if (p.doseReductionStep * p.maxDoseReductions >= 1) {
    out.push({
      param: 'doseReductionStep',
      rule: 'doseReductionStep × maxDoseReductions must be < 1 (the lowest level must still be a dose)',
    });
  }
  if (p.scanIntervalDays > 0 && p.scanIntervalDays < 1) {
    out.push({ param: 'scanIntervalDays', rule: 'must be 0 (continuous observation) or ≥ 1' });
  }
  return out;
}

export type ParamOverridesV2 = Record<string, unknown> | Partial<ModelParamsV2>;

function checkV2(overrides: unknown): {
  problems: ParamProblem[];
  values: Record<string, unknown>;
  merged?: ModelParamsV2;
} {
  if (overrides === undefined || overrides === null) overrides = {};
  if (!isPlainObject(overrides)) {
    return {
      problems: [{ param: '(overrides)', rule: 'must be an object of parameter values' }],
      values: {},
    };
  }
  const merged: Record<string, unknown> = { ...defaultParamsV2, ...overrides };
  const res = modelParamsSchemaV2.safeParse(merged);
  if (res.success) {
    const data = res.data as unknown as ModelParamsV2;
    return { problems: crossProblemsV2(data), values: merged, merged: data };
  }
  const problems: ParamProblem[] = [];
  const seen = new Set<string>();
  for (const issue of res.error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const k of issue.keys) {
        problems.push({
          param: k,
          rule:
            k === 'cycleDays' ? 'unknown parameter (lf-tid@2 calls it doseInterval)' : 'unknown parameter',
        });
      }
      continue;
    }
    const param = String(issue.path[0] ?? '(overrides)');
    if (seen.has(param)) continue;
    seen.add(param);
    problems.push({ param, rule: issue.message });
  }
  const order = new Map<string, number>(paramNamesV2.map((n, i) => [n, i]));
  problems.sort((a, b) => (order.get(a.param) ?? -1) - (order.get(b.param) ?? -1));
  return { problems, values: merged };
}

/** All problems with a set of v2 overrides (merged over the v2 defaults), without throwing. */
export function validateParamsV2(overrides: ParamOverridesV2): ParamProblem[] {
  return checkV2(overrides).problems;
}

const resolvedV2 = new WeakSet<object>();

/** Merge overrides over `defaultParamsV2` and validate; throws `ParamError`. The result is frozen. */
export function resolveParamsV2(overrides: ParamOverridesV2 = {}): ModelParamsV2 {
  const { problems, values, merged } = checkV2(overrides);
  if (problems.length > 0 || !merged) {
    const first = problems[0] ?? { param: '(overrides)', rule: 'invalid' };
    throw new ParamError(first.param, first.rule, values[first.param], problems);
  }
  const out: Record<string, unknown> = {};
  for (const name of paramNamesV2) {
    if (name === 'doseDays') out[name] = Object.freeze(merged.doseDays.map((d) => (d === 0 ? 0 : d)));
    else {
      const v = merged[name];
      out[name] = v === 0 ? 0 : v;
    }
  }
  const frozen = Object.freeze(out) as unknown as ModelParamsV2;
  resolvedV2.add(frozen);
  return frozen;
}

/** A valid frozen v2 parameter set: objects from `resolveParamsV2` as they are, others validated. */
export function ensureValidParamsV2(params: ModelParamsV2): ModelParamsV2 {
  if (resolvedV2.has(params)) return params;
  if (!isPlainObject(params)) throw new ParamError('(params)', 'must be an object of parameter values');
  const cached = validatedCopiesV2.get(params);
  if (cached && sameParams(params, cached)) return cached;
  const values = lastValidated && differingValues(params, lastValidated.params);
  let r: ModelParamsV2;
  if (values) r = lastValidated!.resolve(values);
  else {
    for (const name of paramNamesV2) {
      if (!(name in params)) throw new ParamError(name, 'is required (use resolveParamsV2 to fill defaults)');
    }
    r = resolveParamsV2(params);
    lastValidated = { params: r, resolve: pointParams(pointModelV2, r, true).resolve };
  }
  validatedCopiesV2.set(params, r);
  return r;
}

/** Validated copies of objects not from `resolveParamsV2` (e.g. structured clones), reused while unchanged. */
const validatedCopiesV2 = new WeakMap<object, ModelParamsV2>();

/**
 * The last parameter set validated whole here, and a resolver over it. Unmarked parameter sets (structured
 * clones, a design's points expanded for storage) mostly come as one base with a few values changed: only
 * those values are checked (pointParams' fast path, which falls back to the whole check on any doubt).
 * Validating each clone whole took ~3 % of a two-patient point's simulation (bench:segment-params). A
 * chunk's segments no longer need it: they reach their thread resolved and marked (chunkTask).
 */
let lastValidated:
  | { params: ModelParamsV2; resolve: (values: Record<string, number>) => ModelParamsV2 }
  | undefined;

/**
 * The values of `params` that differ from `from` (every parameter named, no other key, the same dose
 * days); undefined if the two do not differ in numbers only.
 */
function differingValues(params: ModelParamsV2, from: ModelParamsV2): Record<string, number> | undefined {
  if (Object.keys(params).length !== paramNamesV2.length) return undefined;
  const values: Record<string, number> = {};
  for (const name of paramNamesV2) {
    if (!(name in params)) return undefined;
    if (name === 'doseDays') {
      const days = params.doseDays;
      if (!Array.isArray(days) || days.length !== from.doseDays.length) return undefined;
      if (days.some((d, i) => d !== from.doseDays[i])) return undefined;
    } else if (params[name] !== from[name]) values[name] = params[name] as number;
  }
  return values;
}

function sameParams(a: ModelParamsV2, b: ModelParamsV2): boolean {
  if (Object.keys(a).length !== paramNamesV2.length) return false;
  for (const name of paramNamesV2) {
    if (name === 'doseDays') {
      const x = a.doseDays;
      const y = b.doseDays;
      if (!Array.isArray(x) || x.length !== y.length || x.some((d, i) => d !== y[i])) return false;
    } else if (a[name] !== b[name]) return false;
  }
  return true;
}

const canonicalV2 = canonicalPointJson(modelIdV2, paramNamesV2);

/** Content hash of a v2 point: hex SHA-256 of the canonical JSON of { model: 'lf-tid@2', params }. */
export function pointHashV2(params: ModelParamsV2): string {
  return sha256Hex(canonicalV2(params));
}

/** lf-tid@2 for pointParams. */
export const pointModelV2: PointParamsModel<ModelParamsV2> = {
  resolve: resolveParamsV2,
  validate: validateParamsV2,
  // doseDays has no range: as an axis it takes the whole check, as it did with zod.
  ranges: new Map(NUMBER_SPECS.map((s) => [s.name as string, numberRange(s)])),
  problems: crossProblemsV2,
  checked: resolvedV2,
};
