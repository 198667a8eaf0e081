/**
 * Model selection: the LF-TID versions a sweep can run, side by side. `lf-tid@1` is MODEL.md
 * (bit-identical to the original kernel); `lf-tid@2` (docs/model-v2.md) is the default for new sweeps.
 */
import {
  type PatientOutcome,
  type PatientOutcomeV2,
  type SimulateOptions,
  simulatePatient,
  simulatePatientV2Internal,
} from './model.js';
import {
  ensureValidParams,
  type ModelParams,
  ParamError,
  type ParamOverrides,
  type ParamProblem,
  type PointParamsModel,
  paramDomains,
  paramNames,
  pointHash,
  pointModelV1,
  pointParams,
  resolveParams,
  type StoredPoint,
  validateParams,
} from './params.js';
import {
  ensureValidParamsV2,
  type ModelParamsV2,
  paramDomainsV2,
  paramNamesV2,
  pointHashV2,
  pointModelV2,
  resolveParamsV2,
  validateParamsV2,
} from './params-v2.js';

export const modelIds = ['lf-tid@1', 'lf-tid@2'] as const;
export type ModelId = (typeof modelIds)[number];
export const defaultModelId: ModelId = 'lf-tid@2';

/** Parameters and outcome of each model. */
export interface ModelTypes {
  'lf-tid@1': { params: ModelParams; outcome: PatientOutcome };
  'lf-tid@2': { params: ModelParamsV2; outcome: PatientOutcomeV2 };
}
export type ParamsOf<M extends ModelId> = ModelTypes[M]['params'];
export type OutcomeOf<M extends ModelId> = ModelTypes[M]['outcome'];

export function isModelId(id: unknown): id is ModelId {
  return typeof id === 'string' && (modelIds as readonly string[]).includes(id);
}

function checkModelId(id: unknown): ModelId {
  if (!isModelId(id)) throw new ParamError('model', `must be one of ${modelIds.join(', ')}`, id);
  return id;
}

/** Parameter names of a model (v2: `doseInterval` instead of `cycleDays`, plus v2's own). */
export function paramNamesFor(modelId: ModelId): readonly string[] {
  return checkModelId(modelId) === 'lf-tid@1' ? paramNames : paramNamesV2;
}

/** Human-readable domain of each parameter of a model. */
export function paramDomainsFor(modelId: ModelId): Readonly<Record<string, string>> {
  return checkModelId(modelId) === 'lf-tid@1' ? paramDomains : paramDomainsV2;
}

/** Every problem with overrides for a model, without throwing. */
export function validateModelParams(modelId: ModelId, overrides: ParamOverrides): ParamProblem[] {
  return checkModelId(modelId) === 'lf-tid@1' ? validateParams(overrides) : validateParamsV2(overrides);
}

/** Merge overrides over a model's defaults and validate (throws `ParamError`). */
export function resolveModelParams<M extends ModelId>(
  modelId: M,
  overrides: ParamOverrides = {},
): ParamsOf<M> {
  return (
    checkModelId(modelId) === 'lf-tid@1' ? resolveParams(overrides) : resolveParamsV2(overrides)
  ) as ParamsOf<M>;
}

/** Each model's part in pointParams (its whole check, ranges, rules and set of checked params). */
const pointModels = { 'lf-tid@1': pointModelV1, 'lf-tid@2': pointModelV2 } as const;

/**
 * `resolveModelParams(modelId, { ...shared, ...values })` for many `values` (a sweep's points): the
 * shared overrides are checked once, each point only its own values and the rules between parameters.
 * Same results, same ParamErrors. `register: false` for points that are stored and hashed, not simulated
 * in this thread (pointParams).
 */
export function modelParamsResolver<M extends ModelId>(
  modelId: M,
  shared: ParamOverrides = {},
  { register = true }: { register?: boolean } = {},
): (values: Record<string, number>) => ParamsOf<M> {
  const model = pointModels[checkModelId(modelId)] as PointParamsModel<ParamsOf<M>>;
  return pointParams(model, shared, register).resolve;
}

/** modelParamsResolver's check alone: throws the same ParamError for the same values, builds no point. */
export function modelParamsChecker(
  modelId: ModelId,
  shared: ParamOverrides = {},
): (values: Record<string, number>) => void {
  return pointParams<object>(pointModels[checkModelId(modelId)], shared, false).check;
}

/**
 * For points that are stored and hashed, not simulated (a submission's): per point its content address
 * (pointHashFor of the resolved point) and its parameters as differences from `base`, the shared overrides
 * resolved. Same checks and ParamErrors as modelParamsResolver, but no point is built: a sweep's points
 * differ from the base in their axis values only (~4 µs a point less, and less garbage).
 */
export function modelPointStorage(
  modelId: ModelId,
  shared: ParamOverrides = {},
): { stored(values: Record<string, number>): StoredPoint; base?: Readonly<Record<string, unknown>> } {
  const id = checkModelId(modelId);
  const points = pointParams<object>(pointModels[id], shared, false);
  const hash = (params: object) => pointHashFor(id, params as ParamsOf<typeof id>);
  return { stored: (values) => points.stored(values, hash), base: points.base };
}

/** Content hash of a point of a model; includes the model id, so v1 and v2 points never collide. */
export function pointHashFor<M extends ModelId>(modelId: M, params: ParamsOf<M>): string {
  return checkModelId(modelId) === 'lf-tid@1'
    ? pointHash(params as ModelParams)
    : pointHashV2(params as ModelParamsV2);
}

/** Simulate one virtual patient of a model (params complete; validated here if not resolved). */
export function simulateModelPatient<M extends ModelId>(
  modelId: M,
  params: ParamsOf<M>,
  options: SimulateOptions,
): OutcomeOf<M> {
  if (checkModelId(modelId) === 'lf-tid@1')
    return simulatePatient(params as ModelParams, options) as OutcomeOf<M>;
  return simulatePatientV2Internal(ensureValidParamsV2(params as ModelParamsV2), options) as OutcomeOf<M>;
}

/** Patients first … first + count − 1 of cohort `cohortSeed` at one point of a model. */
export function simulateCohort<M extends ModelId>(
  modelId: M,
  params: ParamsOf<M>,
  cohortSeed: number,
  first: number,
  count: number,
): OutcomeOf<M>[] {
  const id = checkModelId(modelId);
  const p =
    id === 'lf-tid@1'
      ? ensureValidParams(params as ModelParams)
      : ensureValidParamsV2(params as ModelParamsV2);
  const out: OutcomeOf<M>[] = [];
  for (let i = first; i < first + count; i++) {
    out.push(simulateModelPatient(modelId, p as ParamsOf<M>, { cohortSeed, patientIndex: i }));
  }
  return out;
}
