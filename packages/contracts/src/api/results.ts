import { z } from 'zod';
import { recistResponses, type SurvivalEndpoint, survivalEndpoints } from '../vocabulary.js';
import { count, defineRoute, errors, validatedKeyedErrors } from './common.js';
import { sweepIdParamsSchema, sweepStateSchema } from './sweeps.js';

/** The endpoint query parameter: the vocabulary's list, with the error users see. */
const endpointQuerySchema = z.enum(survivalEndpoints, {
  error: `must be one of ${survivalEndpoints.join(', ')}`,
});
export type SurvivalEndpointName = SurvivalEndpoint;

/** `a,b` or repeated `x=a&x=b` → ['a', 'b']. */
const listParam = z.union([z.string(), z.array(z.string())]).transform((value) =>
  (Array.isArray(value) ? value : [value])
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean),
);

const timesParam = listParam.pipe(
  z
    .array(
      z
        .string()
        .regex(/^\d+(\.\d+)?$/, { error: 'must be a list of times in days ≥ 0, e.g. 365,730' })
        .transform(Number),
    )
    .min(1, { error: 'must name at least one time' })
    .max(50),
);

/** Query of GET /v1/sweeps/{id}/survival. */
export const survivalQuerySchema = z.object({
  endpoint: endpointQuerySchema.default('os'),
  /** Axes to pool points by (`dose,immuneKill`); without it each point is its own group. */
  groupBy: listParam.optional(),
  /** Times (days) of the S(t) estimates; default 365,730. */
  at: timesParam.optional(),
  /** Thin each curve to at most this many rows. */
  maxPoints: z.coerce.number().int().min(2).max(1_000_000).optional(),
  /** Cut each groupBy axis with more distinct values into this many quantile bins. */
  bins: z.coerce.number().int().min(2).max(100).optional(),
});
export type SurvivalQuery = z.infer<typeof survivalQuerySchema>;

/** A number, or null where JSON cannot carry it (NaN: an undefined standard error or limit). */
const estimate = z.number().nullable();

/** Null statistics where the test is undefined (no events in the pooled groups: NaN in JSON). */
export const logRankSchema = z.object({ chiSq: estimate, df: z.number(), pValue: estimate });
export type LogRank = z.infer<typeof logRankSchema>;

/** A Kaplan–Meier curve as served: one row per event time (MODEL.md §9). */
export const survivalCurveRowsSchema = z.object({
  time: z.array(z.number()),
  nRisk: z.array(z.number()),
  nEvent: z.array(z.number()),
  nCensor: z.array(z.number()),
  survival: z.array(estimate),
  stdErr: z.array(estimate),
  lower: z.array(estimate),
  upper: z.array(estimate),
  /** Rows before thinning, when `maxPoints` dropped some. */
  thinnedFrom: count.optional(),
});
export type SurvivalCurveRows = z.infer<typeof survivalCurveRowsSchema>;

export const medianSurvivalSchema = z.object({ value: estimate, lower: estimate, upper: estimate });

export const survivalEstimateSchema = z.object({
  survival: estimate,
  stdErr: estimate,
  lower: estimate,
  upper: estimate,
});

/** Kaplan–Meier summaries of one group; a group without outcomes has empty curves and null estimates. */
export const groupSurvivalSchema = z.object({
  patients: count,
  events: count,
  curve: survivalCurveRowsSchema,
  median: medianSurvivalSchema,
  /** S(t) at each requested time, keyed by the time in days. */
  survivalAt: z.record(z.string(), survivalEstimateSchema.nullable()),
  rmst: z.object({ tau: z.number(), value: z.number(), stdErr: estimate }).nullable(),
});
export type GroupSurvival = z.infer<typeof groupSurvivalSchema>;

export const survivalGroupSchema = groupSurvivalSchema.extend({
  /** The group's values of the grouped axes (all axes when each point is its own group). */
  key: z.record(z.string(), z.number()),
  /** For axes cut into quantile bins: the smallest and largest value of the group's points. */
  ranges: z.record(z.string(), z.tuple([z.number(), z.number()])).optional(),
  /** Set when each point is its own group (no groupBy). */
  pointIndex: count.optional(),
  /** Points pooled into the group. */
  points: count,
  /**
   * Virtual patients behind `patients`: the pooled points share one cohort (common random numbers), so
   * 9 points of 300 patients are 2,700 rows but 300 patients.
   */
  distinctPatients: count,
  /** Against the group's reference arm, or the all-groups test; null when it cannot be computed. */
  logRank: logRankSchema.nullable(),
});
export type SurvivalGroup = z.infer<typeof survivalGroupSchema>;

/** Pooled axes the log-rank tests are stratified by (`survdiff(… + strata(…))`): same patients in each. */
const stratifiedBy = z.array(z.string());

export const survivalComparisonSchema = z.discriminatedUnion('method', [
  z.object({
    method: z.literal('referenceArm'),
    referenceArm: z.record(z.string(), z.number()),
    stratifiedBy,
  }),
  z.object({
    method: z.literal('allGroups'),
    reason: z.string(),
    stratifiedBy,
    logRank: logRankSchema.nullable(),
  }),
]);

/**
 * Response to GET /v1/sweeps/{id}/survival. Its `groups` are serialised in a statistics thread and
 * sent as text, so the API does not re-check them per request; tests parse real answers with this.
 */
export const survivalResponseSchema = z.object({
  sweepId: z.uuid(),
  status: sweepStateSchema,
  /** Outcomes are still missing (running, or ended without all of them). */
  partial: z.boolean(),
  endpoint: endpointQuerySchema,
  groupBy: z.array(z.string()),
  comparison: survivalComparisonSchema,
  groups: z.array(survivalGroupSchema),
});
export type SurvivalResponse = z.infer<typeof survivalResponseSchema>;

/** Query of GET /v1/sweeps/{id}/points: a page of points. */
export const pointsQuerySchema = z.object({
  offset: z.coerce.number().int().min(0).default(0),
  /** At most maxPointsPerPage (the default). */
  limit: z.coerce.number().int().min(1).optional(),
});
export type PointsQuery = z.infer<typeof pointsQuerySchema>;

export const endpointSummarySchema = z.object({
  median: medianSurvivalSchema,
  at365: estimate,
  at730: estimate,
  rmst: estimate,
});
export type EndpointSummary = z.infer<typeof endpointSummarySchema>;

export const pointRowSchema = z.object({
  pointIndex: count,
  axisValues: z.record(z.string(), z.number()),
  /** Patients counted at this point (an adaptive cohort's: those its rounds used). */
  patients: count,
  /** An adaptive cohort's rounds at this point (docs/adaptive-cohorts.md); absent for a fixed cohort. */
  cohort: z
    .object({
      /** Rounds run (1 = only the `initial` patients). */
      rounds: count,
      /** The precision metric's 95% CI half-width after the last completed round; null: not estimable. */
      halfWidth: z.number().nonnegative().nullable(),
      /** Why it stopped: `precise` (half-width ≤ target) or `max`; null while it runs. */
      stop: z.enum(['precise', 'max']).nullable(),
    })
    .optional(),
  os: endpointSummarySchema,
  pfs: endpointSummarySchema,
  /** Fraction of patients whose tumour went extinct; null before any outcome. */
  curedFraction: z.number().nullable(),
  medianLeaderFractionAtDiagnosis: z.number().nullable(),
  /** Patients per best response (RECIST). */
  bestResponse: z.object({ CR: count, PR: count, SD: count, PD: count }),
  // lf-tid@2's trial outputs (docs/model-v2.md §6), null for lf-tid@1 sweeps and before any outcome.
  /** Fraction with a confirmed CR or PR (RECIST 1.1). */
  objectiveResponseRate: z.number().nullable(),
  /** Deaths from febrile neutropenia: patients, and their fraction. */
  toxicDeaths: count.nullable(),
  toxicDeathFraction: z.number().nullable(),
  /** Mean relative dose intensity of the patients given at least one dose (null if none was). */
  meanDoseIntensity: z.number().nullable(),
  /** Fraction whose worst neutropenia was CTCAE grade 4. */
  grade4NeutropeniaRate: z.number().nullable(),
  /** Patients per RECIST 1.1 best overall response with confirmation (NE: not evaluable). */
  recistBestResponse: z
    .object(
      Object.fromEntries(recistResponses.map((r) => [r, count])) as Record<
        (typeof recistResponses)[number],
        typeof count
      >,
    )
    .nullable(),
});
export type PointRow = z.infer<typeof pointRowSchema>;

/** Response to GET /v1/sweeps/{id}/points. */
export const pointsResponseSchema = z.object({
  sweepId: z.uuid(),
  status: sweepStateSchema,
  partial: z.boolean(),
  axes: z.array(z.string()),
  totalPoints: count,
  offset: count,
  /** Offset of the next page; null after the last. */
  nextOffset: count.nullable(),
  points: z.array(pointRowSchema),
});
export type PointsResponse = z.infer<typeof pointsResponseSchema>;

export const exportFormats = ['csv', 'parquet', 'ndjson'] as const;
export type ExportFormat = (typeof exportFormats)[number];

/** Query of GET /v1/sweeps/{id}/outcomes. */
export const exportQuerySchema = z.object({
  format: z.enum(exportFormats, { error: 'must be one of csv, parquet, ndjson' }).default('csv'),
});

/** One exported patient outcome: point index, axis values and MODEL.md §7 outcome columns (camelCase). */
export const outcomeExportRowSchema = z.record(z.string(), z.union([z.number(), z.boolean(), z.string()]));

const outcomeFile = (description: string) => ({ schema: z.string().meta({ description }) });

// Heavy reads: 429 per key/tenant in flight, 503 when none finished within the queue time.
const heavyErrors = { ...validatedKeyedErrors, ...errors(404) };

export const resultRoutes = {
  survival: defineRoute({
    method: 'GET',
    url: '/v1/sweeps/:id/survival',
    access: 'read',
    schema: {
      summary: 'Kaplan–Meier curves, medians, S(t), RMST and log-rank per group of points',
      tags: ['results'],
      params: sweepIdParamsSchema,
      querystring: survivalQuerySchema,
      // 422: more groups than maxSurvivalGroups / maxLogRankGroups.
      response: { 200: survivalResponseSchema, ...heavyErrors, ...errors(422) },
    },
  }),
  points: defineRoute({
    method: 'GET',
    url: '/v1/sweeps/:id/points',
    access: 'read',
    schema: {
      summary: 'One row per parameter point: medians, S(365), S(730), RMST, cure, response counts',
      description:
        'Paged for large sweeps: `limit` points (at most maxPointsPerPage) from point index `offset`; ' +
        '`nextOffset` is the next page, null after the last.',
      tags: ['results'],
      params: sweepIdParamsSchema,
      querystring: pointsQuerySchema,
      // 422: limit above maxPointsPerPage.
      response: { 200: pointsResponseSchema, ...heavyErrors, ...errors(422) },
    },
  }),
  outcomes: defineRoute({
    method: 'GET',
    url: '/v1/sweeps/:id/outcomes',
    access: 'read',
    schema: {
      summary: 'Export every patient outcome (CSV, Parquet or NDJSON), streamed',
      description:
        'A file download (`content-disposition: attachment`); header `x-frontline-partial` says whether ' +
        'outcomes are still missing. Columns are the same in every format. A sweep run with ' +
        '`outcomes: summary` keeps no per-patient rows: 409 naming the option.',
      tags: ['results'],
      params: sweepIdParamsSchema,
      querystring: exportQuerySchema,
      response: {
        200: {
          description: 'The outcomes, one row per patient, in the requested format',
          content: {
            'text/csv': outcomeFile('CSV with a header row'),
            'application/vnd.apache.parquet': {
              schema: z.string().meta({ description: 'Parquet file', format: 'binary' }),
            },
            'application/x-ndjson': { schema: outcomeExportRowSchema },
          },
        },
        ...heavyErrors,
        ...errors(409),
      },
    },
  }),
};
