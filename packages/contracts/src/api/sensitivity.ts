/**
 * GET /v1/sweeps/{id}/sensitivity: Sobol indices of a per-point metric over a saltelli sweep's axes,
 * with bootstrap intervals and the share of the metric's variance that is cohort noise
 * (docs/sensitivity.md).
 */
import { z } from 'zod';
import { survivalEndpoints } from '../vocabulary.js';
import { count, defineRoute, errors, validatedKeyedErrors } from './common.js';
import { sweepIdParamsSchema, sweepStateSchema } from './sweeps.js';

/** The per-point metrics whose indices can be asked for. */
export const sensitivityMetrics = [
  'survivalAt',
  'rmst',
  'median',
  'curedFraction',
  'objectiveResponse',
] as const;
export type SensitivityMetric = (typeof sensitivityMetrics)[number];

/** Metrics that read a survival endpoint; the fractions ignore `endpoint`. */
export const survivalMetrics = ['survivalAt', 'rmst', 'median'] as const satisfies SensitivityMetric[];

export const sensitivityQuerySchema = z.object({
  endpoint: z
    .enum(survivalEndpoints, { error: `must be one of ${survivalEndpoints.join(', ')}` })
    .default('os'),
  metric: z
    .enum(sensitivityMetrics, { error: `must be one of ${sensitivityMetrics.join(', ')}` })
    .default('survivalAt'),
  /**
   * survivalAt: the time (days) of S(t), default 730. rmst: the restriction time τ, default each
   * point's follow-up horizon. Not accepted with the other metrics.
   */
  at: z.coerce
    .number({ error: 'must be a time in days' })
    .positive({ error: 'must be a time in days > 0' })
    .optional(),
});
export type SensitivityQuery = z.infer<typeof sensitivityQuerySchema>;

const indexEstimateSchema = z.object({ value: z.number(), lower: z.number(), upper: z.number() });
export type IndexEstimateView = z.infer<typeof indexEstimateSchema>;

export const axisSensitivitySchema = z.object({
  axis: z.string(),
  /** First-order index S_i (Saltelli et al. 2010) with its bootstrap percentile interval. */
  first: indexEstimateSchema,
  /** Total-effect index ST_i (Jansen 1999) with its bootstrap percentile interval. */
  total: indexEstimateSchema,
});

export const cohortNoiseSchema = z.object({
  /** Mean within-point sampling variance over the variance of the per-point estimates. */
  share: z.number(),
  meanWithinVariance: z.number(),
  totalVariance: z.number(),
  /** Above this share the indices are flagged as biased by cohort noise. */
  threshold: z.number(),
  /** Set when share > threshold: add patients per point. */
  warning: z.string().nullable(),
});

export const sensitivityResponseSchema = z.object({
  sweepId: z.uuid(),
  status: sweepStateSchema,
  endpoint: z.enum(survivalEndpoints),
  metric: z.enum(sensitivityMetrics),
  /** The time of S(t) or RMST's τ; null for the other metrics (and for rmst at each point's horizon). */
  at: z.number().nullable(),
  /** N, the base rows of the design; points = N × (axes + 2). */
  samples: count,
  patients: count,
  /** One entry per axis, in the design's key order (factor i). */
  axes: z.array(axisSensitivitySchema),
  /** V: the variance of the pooled f(A), f(B). */
  variance: z.number(),
  /** Bootstrap replicates behind the intervals, their seed (the design's) and two-sided level. */
  bootstrap: z.object({ replicates: count, seed: count, level: z.number() }),
  cohortNoise: cohortNoiseSchema,
  /** Things to know before trusting the indices (large noise share, medians not reached, …). */
  warnings: z.array(z.string()),
});
export type SensitivityResponse = z.infer<typeof sensitivityResponseSchema>;

export const sensitivityRoutes = {
  sensitivity: defineRoute({
    method: 'GET',
    url: '/v1/sweeps/:id/sensitivity',
    access: 'read',
    schema: {
      summary: 'Sobol first-order and total indices per axis of a saltelli sweep, with intervals',
      description:
        'First-order (Saltelli 2010) and total (Jansen) indices of a per-point metric, bootstrap ' +
        'percentile intervals, and the share of the metric’s variance that is cohort noise. ' +
        '409 for a sweep whose design is not saltelli, and while outcomes are missing (every A, B and ' +
        'AB_i point is needed: the estimators pair them by base row).',
      tags: ['results'],
      params: sweepIdParamsSchema,
      querystring: sensitivityQuerySchema,
      response: {
        200: sensitivityResponseSchema,
        ...validatedKeyedErrors,
        ...errors(404, 409),
      },
    },
  }),
};
