import type { SaltelliRole } from '@frontline/design';
import {
  gridPoints,
  latinHypercube,
  saltelliRole,
  saltelliUnitPoints,
  scaleToAxes,
  sobolPoints,
} from '@frontline/design';
import type { ModelId, ModelParams, ModelParamsV2 } from '@frontline/sim';
import {
  modelParamsChecker,
  modelParamsResolver,
  modelPointStorage,
  ParamError,
  pointHashFor,
} from '@frontline/sim';
import type { ErrorDetail } from './errors.js';
import { ApiError, apiError } from './errors.js';
import type { SweepLimits } from './limits.js';
import type { ParseSweepSpecResult } from './parse.js';
import { parseSweepSpec, sweepWarnings } from './parse.js';
import type { SweepSpec } from './spec.js';

/** One parameter point of a sweep. */
export interface SweepPoint {
  /** Position in design order (0-based). */
  readonly index: number;
  /** The design's axis values at this point. */
  readonly axisValues: Record<string, number>;
  /** Every parameter of the sweep's model: its defaults, then `spec.params`, then the axis values. */
  readonly params: ModelParams | ModelParamsV2;
  /**
   * Content address of (model, params), `pointHashFor`: equal points are simulated once across
   * sweeps, and a v1 and a v2 point never share one (the hash includes the model id).
   */
  readonly pointHash: string;
  /**
   * In a saltelli design, the point's matrix and base row. Not stored: it is a function of the
   * index alone (sweepPointRole), A rows 0 … N−1, B rows N … 2N−1, AB_i rows (2+i)·N … (3+i)·N−1.
   */
  readonly saltelli?: SaltelliRole;
}

export interface ExpandedSweep {
  /** The model every point runs. */
  readonly modelId: ModelId;
  readonly axes: string[];
  readonly points: SweepPoint[];
  readonly warnings: string[];
}

/** Invalid points named in one error, enough to see the pattern. */
const MAX_REPORTED_POINTS = 10;

/**
 * The points of a spec accepted by parseSweepSpec (limits and single-value domains already
 * checked), in deterministic design order: the same spec always gives the same points and hashes.
 * A combination of axis values can still break a rule between parameters (e.g. a growth rate too
 * slow for a given plasticity ever to reach diagnosis); then it throws an ApiError
 * `validation_failed` (400) naming those points, never an unexplained error.
 */
export function expandSweep(spec: SweepSpec): ExpandedSweep {
  const points: SweepPoint[] = [];
  for (const batch of expandSweepBatches(spec, Number.POSITIVE_INFINITY)) points.push(...batch);
  return { modelId: spec.model, axes: Object.keys(spec.design.axes), points, warnings: sweepWarnings(spec) };
}

/**
 * expandSweep's points in batches of `batchSize`, in design order, for a caller that writes one
 * batch while the next is expanded. Once a point breaks a rule no further batch is given, but the rest
 * of the design is still checked and the same ApiError as expandSweep's is thrown at the end (so the
 * caller must discard what it wrote of the earlier batches). From `from` on (a placement resumed where it
 * stopped; the points before it are neither given nor checked).
 */
export function* expandSweepBatches(
  spec: SweepSpec,
  batchSize: number,
  from = 0,
): Generator<SweepPoint[], void> {
  // The spec's params are checked once; each point checks only its axis values and the cross rules. Its
  // points are stored and hashed, not simulated here: no mark as checked for the kernel (~0.6 µs a point).
  const resolvePoint = modelParamsResolver(spec.model, spec.params, { register: false });
  yield* pointBatches(spec, batchSize, from, designAxisValues(spec), (index, axisValues) => {
    const params = resolvePoint(axisValues);
    return { index, axisValues, params, pointHash: pointHashFor(spec.model, params) };
  });
}

/** A point as a submission stores it: its content address and its parameters as differences from `base`. */
export interface StoredSweepPoint {
  readonly index: number;
  readonly axisValues: Record<string, number>;
  /** As SweepPoint's; the caller may replace it with its storage address (the API's, per tenant). */
  pointHash: string;
  /** The JSON object of the point's parameters that differ from `base` (all of them without a base). */
  readonly changes: string;
  /** The spec's params resolved (no axis values), shared by the design's points; see modelPointStorage. */
  readonly base: Readonly<Record<string, unknown>> | undefined;
  readonly saltelli?: SaltelliRole;
}

/**
 * expandSweepBatches' points as stored, without building each point's parameters: the same points,
 * hashes and errors (modelPointStorage). For the submission's writes, which need no whole point.
 * `design`: the spec's designAxisValues, if the caller has them already (a design of 10⁵ points takes
 * ~0.1 s to generate).
 */
export function* storedPointBatches(
  spec: SweepSpec,
  batchSize: number,
  from = 0,
  design: DesignAxisValues = designAxisValues(spec),
): Generator<StoredSweepPoint[], void> {
  const { stored, base } = modelPointStorage(spec.model, spec.params);
  yield* pointBatches(spec, batchSize, from, design, (index, axisValues) => {
    const { pointHash, changes } = stored(axisValues);
    return { index, axisValues, pointHash, changes, base };
  });
}

/** The design's points made by `point`, in batches, with the checks and errors expandSweepBatches describes. */
function* pointBatches<T extends { index: number }>(
  spec: SweepSpec,
  batchSize: number,
  from: number,
  design: DesignAxisValues,
  point: (index: number, axisValues: Record<string, number>) => T,
): Generator<(T & { saltelli?: SaltelliRole })[], void> {
  const problems = pointProblems();
  let batch: (T & { saltelli?: SaltelliRole })[] = [];
  for (let index = from; index < design.length; index++) {
    const axisValues = design[index]!;
    try {
      const made = point(index, axisValues);
      problems.valid++;
      if (problems.count > 0) continue;
      batch.push(spec.design.kind === 'saltelli' ? { ...made, saltelli: sweepPointRole(spec, index) } : made);
      if (batch.length >= batchSize) {
        yield batch;
        batch = [];
      }
    } catch (error) {
      problems.add(index, axisValues, error);
    }
  }
  problems.throwIfAny();
  if (batch.length > 0) yield batch;
}

/**
 * Check every point of the design against its model's rules without keeping or hashing anything (a
 * sweep placed after its reply is checked whole before it): the same ApiError as expandSweep's, or
 * nothing. Yields every `slice` points, so the caller can give the event loop back between slices.
 */
export function* checkSweepPointSlices(
  spec: SweepSpec,
  slice: number,
  design: DesignAxisValues = designAxisValues(spec),
): Generator<void, void> {
  const problems = pointProblems();
  const checkPoint = modelParamsChecker(spec.model, spec.params);
  for (let index = 0; index < design.length; index++) {
    const axisValues = design[index]!;
    try {
      checkPoint(axisValues);
      problems.valid++;
    } catch (error) {
      problems.add(index, axisValues, error);
    }
    if ((index + 1) % slice === 0) yield;
  }
  problems.throwIfAny();
}

/** The invalid points of a design, counted; the first MAX_REPORTED_POINTS named in the error. */
function pointProblems() {
  const invalid: ErrorDetail[] = [];
  return {
    valid: 0,
    count: 0,
    add(index: number, axisValues: Record<string, number>, error: unknown) {
      if (!(error instanceof ParamError)) throw error;
      this.count++;
      if (invalid.length < MAX_REPORTED_POINTS) invalid.push(pointProblem(index, axisValues, error));
    },
    throwIfAny() {
      if (this.count === 0) return;
      const first = invalid[0]!;
      throw apiError(
        'validation_failed',
        `${this.count} of ${this.valid + this.count} sweep points break a parameter rule; first: ${first.path}: ${first.rule}`,
        invalid,
      );
    },
  };
}

function pointProblem(index: number, axisValues: Record<string, number>, error: ParamError): ErrorDetail {
  const at = Object.entries(axisValues)
    .map(([axis, value]) => `${axis}=${value}`)
    .join(', ');
  return { path: `design (point ${index}: ${at})`, rule: `${error.param}: ${error.rule}` };
}

/** A design's points as axis values, in design order (designAxisValues). */
export type DesignAxisValues = readonly Record<string, number>[];

/** Axis values of every point, in design order. */
export function designAxisValues(spec: Pick<SweepSpec, 'design'>): Record<string, number>[] {
  const { design } = spec;
  switch (design.kind) {
    case 'grid':
      return gridPoints(design.axes);
    case 'lhs':
      return scaleToAxes(
        latinHypercube(design.samples, Object.keys(design.axes).length, design.seed),
        design.axes,
      );
    case 'sobol':
      return scaleToAxes(
        sobolPoints(design.samples, Object.keys(design.axes).length, design.seed),
        design.axes,
      );
    case 'saltelli':
      // The points' values only (saltelliPoints adds each one's role, which sweepPointRole gives by index).
      return scaleToAxes(
        saltelliUnitPoints(design.samples, Object.keys(design.axes).length, design.seed),
        design.axes,
      );
  }
}

/**
 * The Saltelli role (matrix A, B or AB_i, base row j) of a stored point from its index alone;
 * undefined for other designs. Factor i is the i-th axis of `design.axes` in key order.
 */
export function sweepPointRole(spec: Pick<SweepSpec, 'design'>, index: number): SaltelliRole | undefined {
  const { design } = spec;
  if (design.kind !== 'saltelli') return undefined;
  return saltelliRole(index, design.samples, Object.keys(design.axes).length);
}

export type PrepareSweepResult =
  | { ok: true; spec: SweepSpec; expanded: ExpandedSweep; warnings: string[] }
  | Extract<ParseSweepSpecResult, { ok: false }>;

/** parseSweepSpec then expandSweep, with every failure returned as a 400/413/422 (for routes and the CLI). */
export function prepareSweep(input: unknown, limits?: SweepLimits): PrepareSweepResult {
  const parsed = parseSweepSpec(input, limits);
  if (!parsed.ok) return parsed;
  try {
    const expanded = expandSweep(parsed.spec);
    return { ok: true, spec: parsed.spec, expanded, warnings: parsed.warnings };
  } catch (error) {
    if (error instanceof ApiError && error.status === 400) return { ok: false, status: 400, error };
    throw error;
  }
}
