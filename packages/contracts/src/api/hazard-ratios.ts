/**
 * Hazard ratios (stratified Cox) and virtual-trial power of a sweep's arms: the numbers a trialist
 * reports and designs with. Grouping by one axis pools the other axes' points, which hold the same
 * virtual patients (common random numbers), so every comparison is stratified by the pooled axes.
 */
import { z } from 'zod';
import { survivalEndpoints } from '../vocabulary.js';
import { count, defineRoute, errors, validatedKeyedErrors } from './common.js';
import { sweepIdParamsSchema, sweepStateSchema } from './sweeps.js';

const endpointParam = z
  .enum(survivalEndpoints, { error: `must be one of ${survivalEndpoints.join(', ')}` })
  .default('os');

const axisParam = z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, { error: 'must name one axis of the sweep' });

/** An axis value given in the query (`reference=0`, `arm=2.5`). */
const axisValueParam = z
  .string()
  .regex(/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/, { error: 'must be a value of the groupBy axis, e.g. 0' })
  .transform(Number);

/** A number, or null where it is undefined (no events, an infinite coefficient's interval). */
const estimate = z.number().nullable();

const chiSquareSchema = z.object({ chiSq: estimate, df: z.number(), pValue: estimate });

/** Query of GET /v1/sweeps/{id}/hazard-ratios. */
export const hazardRatiosQuerySchema = z.object({
  endpoint: endpointParam,
  /** The axis whose values are the arms; the other axes are pooled and stratified by. */
  groupBy: axisParam,
  /** The reference arm's value of `groupBy`; default the sweep's referenceArm on that axis. */
  reference: axisValueParam.optional(),
});
export type HazardRatiosQuery = z.infer<typeof hazardRatiosQuerySchema>;

export const hazardRatioGroupSchema = z.object({
  key: z.record(z.string(), z.number()),
  reference: z.boolean(),
  /** Pooled rows: one per (point, patient) of the group. */
  patients: count,
  /** Virtual patients behind those rows: the pooled points share one cohort (common random numbers). */
  distinctPatients: count,
  /** Points pooled into the group (one stratum each, by the other axes' values). */
  points: count,
  events: count,
  /** Against the reference arm, stratified by the pooled axes; null for the reference and empty groups. */
  hazardRatio: estimate,
  lower: estimate,
  upper: estimate,
  coef: estimate,
  se: estimate,
  pValue: estimate,
});
export type HazardRatioGroup = z.infer<typeof hazardRatioGroupSchema>;

/** Response to GET /v1/sweeps/{id}/hazard-ratios. */
export const hazardRatiosResponseSchema = z.object({
  sweepId: z.uuid(),
  status: sweepStateSchema,
  /** Outcomes are still missing (running, or ended without all of them): the ratios will change. */
  partial: z.boolean(),
  endpoint: z.enum(survivalEndpoints),
  groupBy: z.string(),
  referenceArm: z.record(z.string(), z.number()),
  /** The pooled axes: a separate baseline hazard per combination of their values (`strata()` in R). */
  stratifiedBy: z.array(z.string()),
  strata: count,
  ties: z.literal('efron'),
  groups: z.array(hazardRatioGroupSchema),
  /** Global likelihood-ratio test of all arms against the reference; null when no model could be fitted. */
  likelihoodRatio: chiSquareSchema.nullable(),
  /** The fit's warnings (an infinite coefficient) or why there is none (no events yet). */
  warnings: z.array(z.string()),
});
export type HazardRatiosResponse = z.infer<typeof hazardRatiosResponseSchema>;

/** `a,b` or repeated `x=a&x=b` → ['a', 'b']. */
const listParam = z.union([z.string(), z.array(z.string())]).transform((value) =>
  (Array.isArray(value) ? value : [value])
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean),
);

/** Bounds of one power request (the statistics package's POWER_LIMITS); errors name them. */
export const powerQueryLimits = {
  maxReplicates: 100_000,
  maxPatientsPerArm: 100_000,
  maxSampleSizes: 50,
  maxPatientDraws: 50_000_000,
} as const;

/** Query of GET /v1/sweeps/{id}/power. */
export const powerQuerySchema = z.object({
  endpoint: endpointParam,
  groupBy: axisParam,
  /** The experimental arm's value of `groupBy`. */
  arm: axisValueParam,
  /** The control arm's value; default the sweep's referenceArm on `groupBy`. */
  reference: axisValueParam.optional(),
  patientsPerArm: listParam
    .pipe(
      z
        .array(
          z
            .string()
            .regex(/^\d+$/, { error: 'must be a list of whole numbers of patients, e.g. 50,100,200' })
            .transform(Number)
            .pipe(
              z
                .number()
                .min(2, { error: 'each sample size must be ≥ 2' })
                .max(powerQueryLimits.maxPatientsPerArm, {
                  error: `each sample size must be ≤ ${powerQueryLimits.maxPatientsPerArm} (maxPatientsPerArm)`,
                }),
            ),
        )
        .min(1, { error: 'must name at least one sample size' })
        .max(powerQueryLimits.maxSampleSizes, {
          error: `at most ${powerQueryLimits.maxSampleSizes} sample sizes (maxSampleSizes)`,
        }),
    )
    .default([50, 100, 200, 400]),
  alpha: z.coerce
    .number()
    .gt(0, { error: 'must be in (0, 1)' })
    .lt(1, { error: 'must be in (0, 1)' })
    .default(0.05),
  replicates: z.coerce
    .number()
    .int()
    .min(1)
    .max(powerQueryLimits.maxReplicates, {
      error: `at most ${powerQueryLimits.maxReplicates} (maxReplicates)`,
    })
    .default(1000),
  /** Patients enrol uniformly over this many days. */
  accrualDays: z.coerce.number().min(0).max(36_500).default(365),
  /** The analysis is this many days after the last enrolment (administrative censoring). */
  followUpDays: z.coerce.number().min(0).max(36_500).default(730),
  seed: z.coerce
    .number()
    .int()
    .min(0)
    .max(2 ** 32 - 1)
    .default(1),
});
export type PowerQuery = z.infer<typeof powerQuerySchema>;

export const powerRowSchema = z.object({
  patientsPerArm: count,
  replicates: count,
  /** Virtual trials with two-sided log-rank p < alpha. */
  rejections: count,
  power: z.number(),
  /** Clopper–Pearson 95% interval of the Monte Carlo power. */
  lower: z.number(),
  upper: z.number(),
  expectedEvents: z.number(),
  /** Schoenfeld's approximation from the cohorts' pooled hazard ratio and the expected events. */
  schoenfeld: estimate,
});
export type PowerRow = z.infer<typeof powerRowSchema>;

const powerArmSchema = z.object({
  key: z.record(z.string(), z.number()),
  patients: count,
  distinctPatients: count,
  points: count,
  events: count,
});

/** Response to GET /v1/sweeps/{id}/power. */
export const powerResponseSchema = z.object({
  sweepId: z.uuid(),
  status: sweepStateSchema,
  partial: z.boolean(),
  endpoint: z.enum(survivalEndpoints),
  groupBy: z.string(),
  arm: powerArmSchema,
  reference: powerArmSchema,
  /** Axes pooled into each arm: its cohort is the mixture of their settings. */
  pooledAxes: z.array(z.string()),
  alpha: z.number(),
  accrualDays: z.number(),
  followUpDays: z.number(),
  seed: z.number(),
  /** Arm vs reference over the full cohorts (Cox, Efron ties), the HR of Schoenfeld's formula. */
  hazardRatio: estimate,
  rows: z.array(powerRowSchema),
  /** Why there are no rows (an arm without outcomes yet). */
  warnings: z.array(z.string()),
});
export type PowerResponse = z.infer<typeof powerResponseSchema>;

const heavyErrors = { ...validatedKeyedErrors, ...errors(404, 422) };

export const hazardRoutes = {
  hazardRatios: defineRoute({
    method: 'GET',
    url: '/v1/sweeps/:id/hazard-ratios',
    access: 'read',
    schema: {
      summary: 'Hazard ratio (95% CI, p) of each arm against the reference: Cox, stratified by pooled axes',
      description:
        'One arm per value of `groupBy`; the other axes are pooled and stratified by (their points hold ' +
        'the same virtual patients). `partial` is true while outcomes are missing.',
      tags: ['results'],
      params: sweepIdParamsSchema,
      querystring: hazardRatiosQuerySchema,
      // 422: more arms than maxLogRankGroups, or no reference arm.
      response: { 200: hazardRatiosResponseSchema, ...heavyErrors },
    },
  }),
  power: defineRoute({
    method: 'GET',
    url: '/v1/sweeps/:id/power',
    access: 'read',
    schema: {
      summary: 'Virtual-trial power: fraction of simulated two-arm trials with log-rank p < alpha',
      description:
        "Patients are drawn from each arm's simulated cohort, enrolled uniformly over accrualDays and " +
        'analysed followUpDays after the last enrolment; Clopper–Pearson intervals and Schoenfeld beside. ' +
        'Deterministic for a seed; bounded by maxReplicates, maxPatientsPerArm, maxSampleSizes and maxPatientDraws.',
      tags: ['results'],
      params: sweepIdParamsSchema,
      querystring: powerQuerySchema,
      response: { 200: powerResponseSchema, ...heavyErrors },
    },
  }),
};
