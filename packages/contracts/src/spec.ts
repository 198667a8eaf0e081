import { SALTELLI_MAX_AXES, SALTELLI_MIN_SAMPLES } from '@frontline/design';
import { defaultModelId, modelIds } from '@frontline/sim';
import { z } from 'zod';
import { checkSweepSemantics } from './semantics.js';
import { outcomeRetentions, priorities, survivalEndpointSchema } from './vocabulary.js';

/** Seeds feed @frontline/sim's Rng, which takes any non-negative safe integer. */
const seedSchema = z.int().nonnegative();

/** The model a sweep runs; new sweeps get the current one (docs/model-v2.md), v1 stays selectable. */
export const modelIdSchema = z.enum(modelIds);

/** Finite numbers only: JSON cannot carry NaN or Infinity, but YAML (`.nan`, `.inf`) can. */
const finiteNumber = z.number();

/** A parameter value: a number, or a list of numbers (v2's `doseDays`); the error says which was wrong. */
const paramValueSchema = z.union([finiteNumber, z.array(finiteNumber)], {
  error: ({ input }) => {
    if (typeof input === 'number') return `must be a finite number, got ${input}`;
    if (Array.isArray(input)) return 'must be a list of finite numbers';
    return `must be a number (a list of numbers for doseDays), got ${input === null ? 'null' : typeof input}`;
  },
});

const gridDesignSchema = z.strictObject({
  kind: z.literal('grid'),
  /** Parameter name → the values to run, in order. The first axis varies slowest. */
  axes: z.record(z.string(), z.array(finiteNumber).min(1)),
});

export const axisScaleSchema = z.enum(['linear', 'log']);

const axisRangeSchema = z.strictObject({
  min: finiteNumber,
  max: finiteNumber,
  scale: axisScaleSchema.default('linear'),
});

const sampledDesignFields = {
  samples: z.int().positive(),
  seed: seedSchema,
  /** Parameter name → range; coordinate j of each unit point maps onto the j-th axis. */
  axes: z.record(z.string(), axisRangeSchema),
};

const lhsDesignSchema = z.strictObject({ kind: z.literal('lhs'), ...sampledDesignFields });
const sobolDesignSchema = z.strictObject({ kind: z.literal('sobol'), ...sampledDesignFields });

/**
 * Saltelli's scheme for Sobol sensitivity indices: `samples` = N base rows, N·(axes + 2) points in
 * the order A (indices 0 … N−1), B (N … 2N−1), AB_i ((2+i)·N … (3+i)·N−1) — see saltelliRole.
 */
const saltelliDesignSchema = z.strictObject({
  kind: z.literal('saltelli'),
  ...sampledDesignFields,
  samples: z.int().min(SALTELLI_MIN_SAMPLES),
  axes: sampledDesignFields.axes.refine((axes) => Object.keys(axes).length <= SALTELLI_MAX_AXES, {
    message: `at most ${SALTELLI_MAX_AXES} axes in a saltelli design (A and B take 2 × axes Sobol dimensions)`,
  }),
});

export const designSchema = z.discriminatedUnion('kind', [
  gridDesignSchema,
  lhsDesignSchema,
  sobolDesignSchema,
  saltelliDesignSchema,
]);
export type Design = z.infer<typeof designSchema>;
export type GridDesign = z.infer<typeof gridDesignSchema>;
export type SampledDesign =
  | z.infer<typeof lhsDesignSchema>
  | z.infer<typeof sobolDesignSchema>
  | z.infer<typeof saltelliDesignSchema>;
export type SaltelliDesign = z.infer<typeof saltelliDesignSchema>;

/** Metrics an adaptive cohort can make precise (docs/adaptive-cohorts.md). */
export const cohortPrecisionMetrics = ['survivalAt', 'rmst', 'median'] as const;
export type CohortPrecisionMetric = (typeof cohortPrecisionMetrics)[number];

/** An adaptive cohort's size: `initial` patients per point in round 0, never more than `max`. */
const adaptivePatientsSchema = z.strictObject({ initial: z.int().positive(), max: z.int().positive() });

/**
 * When a point of an adaptive cohort has enough patients: the 95% CI half-width of `metric` of
 * `endpoint` (at `at` days for survivalAt; up to `at` for rmst, the horizon if absent) is ≤ `halfWidth`.
 */
export const cohortPrecisionSchema = z.strictObject({
  endpoint: survivalEndpointSchema.default('os'),
  metric: z.enum(cohortPrecisionMetrics),
  at: finiteNumber.positive().optional(),
  halfWidth: finiteNumber.positive(),
});
export type CohortPrecision = z.infer<typeof cohortPrecisionSchema>;

export const cohortSchema = z.strictObject({
  /** Patients per point: a number (fixed cohort), or {initial, max} with `precision` (adaptive, in rounds). */
  patients: z.union([z.int().positive(), adaptivePatientsSchema], {
    error: ({ input }) =>
      typeof input === 'number'
        ? `must be an integer, got ${input}`
        : 'must be a positive integer, or {initial, max} for an adaptive cohort',
  }),
  /** The stopping target of an adaptive cohort (required with {initial, max}, refused otherwise). */
  precision: cohortPrecisionSchema.optional(),
  /** Patient i of every point draws from hash(seed, i): common random numbers across arms. */
  seed: seedSchema,
  /** Patients per unit of work; the pipeline picks one when absent. */
  chunkSize: z.int().positive().optional(),
});

export const prioritySchema = z.enum(priorities);
export type { Priority } from './vocabulary.js';

/**
 * The shape of a sweep spec alone, without cross-field rules: for typing stored specs in responses
 * (re-checking model parameters there would be wasted work).
 */
export const sweepSpecStructureSchema = z.strictObject({
  name: z.string().trim().min(1).max(200),
  model: modelIdSchema.default(defaultModelId),
  design: designSchema,
  cohort: cohortSchema,
  /** Overrides of model defaults that hold at every point (a list only for v2's `doseDays`). */
  params: z.record(z.string(), paramValueSchema).default({}),
  /** Axis values of the arm every other arm is contrasted with, e.g. `{ dose: 0 }`. */
  referenceArm: z.record(z.string(), finiteNumber).optional(),
  priority: prioritySchema.default('normal'),
  /**
   * What the sweep keeps of its outcomes: `full` (every patient's row, exportable) or `summary` (survival
   * tables and point summaries only). Absent: `full` up to maxSimulations (10⁷), `summary` above.
   */
  outcomes: z.enum(outcomeRetentions).optional(),
});

/** A sweep spec, with every rule: known parameter names, physical domains, axes vs params, reference arm. */
export const sweepSpecSchema = sweepSpecStructureSchema.superRefine(checkSweepSemantics);
export type SweepSpec = z.infer<typeof sweepSpecSchema>;
export type SweepSpecInput = z.input<typeof sweepSpecSchema>;

export type Cohort = SweepSpec['cohort'];

/** The most patients a point of this cohort can have: its size, or an adaptive cohort's `max`. */
export const cohortPatientsBound = (cohort: Pick<Cohort, 'patients'>): number =>
  typeof cohort.patients === 'number' ? cohort.patients : cohort.patients.max;

/** An adaptive cohort's rounds and target; undefined for a fixed cohort. */
export interface AdaptiveCohort {
  initial: number;
  max: number;
  precision: CohortPrecision;
}

export function adaptiveCohortOf(cohort: Pick<Cohort, 'patients' | 'precision'>): AdaptiveCohort | undefined {
  if (typeof cohort.patients === 'number' || !cohort.precision) return undefined;
  return { ...cohort.patients, precision: cohort.precision };
}
