import { z } from 'zod';
import { prioritySchema, sweepSpecStructureSchema } from '../spec.js';
import { outcomeRetentions, sweepStates } from '../vocabulary.js';
import { count, defineRoute, errors, timestamp, validatedKeyedErrors } from './common.js';

export const sweepStateSchema = z.enum(sweepStates);
export type { SweepState } from '../vocabulary.js';

/** Path parameters of /v1/sweeps/{id}/… routes. */
export const sweepIdParamsSchema = z.object({ id: z.uuid({ error: 'must be a sweep id (UUID)' }) });

/** Response to POST /v1/sweeps. */
export const sweepCreatedSchema = z.object({
  id: z.uuid(),
  status: sweepStateSchema,
  points: count,
  patients: count,
  /** points × patients. */
  simulations: count,
  /** Simulations whose outcomes were already stored (same model, parameters and seed). */
  reused: count,
  warnings: z.array(z.string()),
});
export type SweepCreated = z.infer<typeof sweepCreatedSchema>;

/** Query of POST /v1/sweeps: `dryRun=true` plans the sweep and answers its cost without creating anything. */
export const submitSweepQuerySchema = z.object({
  dryRun: z.enum(['true', 'false'], { error: 'must be true or false' }).optional(),
});

/** Response to POST /v1/sweeps?dryRun=true: what submitting would cost, nothing created. */
export const sweepDryRunSchema = z.object({
  dryRun: z.literal(true),
  points: count,
  patients: count,
  /** points × patients. */
  simulations: count,
  /** Simulations already stored (same model, parameters and seed): reused, not run. */
  reused: count,
  /** Simulations the sweep would run: simulations − reused. */
  toSimulate: count,
  /** Work chunks: ⌈toSimulate / chunkSize⌉ (a chunk may span points). */
  chunks: count,
  chunkSize: count,
  /** Postgres bytes the run would add, per outcome retention mode (estimate). */
  storageBytes: z.object({ full: count, summary: count }),
  /** Simulations per second the workers finished over the last minute (null: none finished). */
  recentSimulationsPerSecond: z.number().nonnegative().nullable(),
  /** toSimulate at that rate, as if the sweep had the workers to itself (null: no recent throughput). */
  etaSeconds: z.number().nonnegative().nullable(),
  warnings: z.array(z.string()),
});
export type SweepDryRun = z.infer<typeof sweepDryRunSchema>;

export const sweepProgressSchema = z.object({
  /** Simulations finished, reused ones included. */
  done: count,
  total: count,
  failed: count,
  reused: count,
  /** An adaptive cohort's rounds (docs/adaptive-cohorts.md); absent for a fixed cohort. */
  cohort: z
    .object({
      /** The round running now, or the last one once the sweep has ended (0 = the `initial` patients). */
      round: count,
      /** Points still adding patients (not yet precise, below max). */
      pointsRunning: count,
    })
    .optional(),
  /**
   * Present while a large design's points are still being written after the reply (docs/spec.md, "Large
   * designs"): how many of the sweep's `points` are; `total` then counts the rest as new simulations.
   */
  pointsPlaced: count.optional(),
});
export type SweepProgress = z.infer<typeof sweepProgressSchema>;

/** One row of GET /v1/sweeps. */
export const sweepSummarySchema = z.object({
  id: z.uuid(),
  name: z.string(),
  status: sweepStateSchema,
  priority: prioritySchema,
  modelId: z.string(),
  codeVersion: z.string(),
  /** The spec as accepted (defaults filled in). */
  spec: sweepSpecStructureSchema,
  patients: count,
  points: count,
  /** What the sweep keeps of its outcomes (`full` rows, or `summary` tables only). */
  outcomes: z.enum(outcomeRetentions),
  failureReason: z.string().nullable(),
  createdAt: timestamp,
  startedAt: timestamp.nullable(),
  finishedAt: timestamp.nullable(),
  progress: sweepProgressSchema,
  /** Simulations per second since the sweep started; null before any chunk finished. */
  ratePerSecond: z.number().nonnegative().nullable(),
  /** Null while no rate is known or once the sweep has ended. */
  etaSeconds: z.number().nonnegative().nullable(),
});
export type SweepSummary = z.infer<typeof sweepSummarySchema>;

/** Response to GET /v1/sweeps/{id}: the summary plus which workers ran its chunks. */
export const sweepStatusSchema = sweepSummarySchema.extend({
  workers: z.array(z.object({ host: z.string(), chunks: count })),
});
export type SweepStatus = z.infer<typeof sweepStatusSchema>;

/** Response to POST /v1/sweeps/{id}/cancel: the sweep after the request, and whether this request ended it. */
export const sweepCancelledSchema = sweepSummarySchema.extend({ cancelled: z.boolean() });
export type SweepCancelled = z.infer<typeof sweepCancelledSchema>;

/** Response to DELETE /v1/sweeps/{id}: the rows removed, per table. */
export const sweepDeletedSchema = z.object({
  id: z.uuid(),
  deleted: z.object({
    sweeps: count,
    sweepPoints: count,
    chunks: count,
    /** Outcomes of its points that no sweep of any tenant references any more. */
    outcomes: count,
  }),
});
export type SweepDeleted = z.infer<typeof sweepDeletedSchema>;

/** Response to GET /v1/sweeps, newest first; pass nextCursor back as `cursor` for the next page. */
export const sweepListSchema = z.object({
  items: z.array(sweepSummarySchema),
  nextCursor: z.uuid().nullable(),
});
export type SweepList = z.infer<typeof sweepListSchema>;

/** Query of GET /v1/sweeps. */
export const listSweepsQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.uuid().optional(),
});
export type ListSweepsQuery = z.infer<typeof listSweepsQuerySchema>;

/** What the SSE stream's `progress` and `end` events carry (`data:` as JSON). */
export const sweepProgressEventSchema = sweepSummarySchema.pick({
  id: true,
  status: true,
  progress: true,
  ratePerSecond: true,
  etaSeconds: true,
});
export type SweepProgressEvent = z.infer<typeof sweepProgressEventSchema>;

/**
 * Body of POST /v1/sweeps: a sweep spec (JSON; the CLI also accepts YAML). Documented from the
 * spec's shape; the route checks it with parseSweepSpec, whose messages name the field and the rule.
 */
export const submitSweepBodySchema = sweepSpecStructureSchema;

export const sweepRoutes = {
  submit: defineRoute({
    method: 'POST',
    url: '/v1/sweeps',
    access: 'submit',
    schema: {
      summary: 'Submit a sweep (or, with dryRun=true, answer its cost and create nothing)',
      tags: ['sweeps'],
      querystring: submitSweepQuerySchema,
      body: submitSweepBodySchema,
      // 413: body over maxBodyBytes; 422: over a sweep limit; 429 also: too many active sweeps.
      response: {
        200: sweepDryRunSchema,
        202: sweepCreatedSchema,
        ...validatedKeyedErrors,
        ...errors(413, 422),
      },
    },
  }),
  list: defineRoute({
    method: 'GET',
    url: '/v1/sweeps',
    access: 'read',
    schema: {
      summary: 'List sweeps, newest first',
      tags: ['sweeps'],
      querystring: listSweepsQuerySchema,
      response: { 200: sweepListSchema, ...validatedKeyedErrors },
    },
  }),
  get: defineRoute({
    method: 'GET',
    url: '/v1/sweeps/:id',
    access: 'read',
    schema: {
      summary: 'Sweep status and progress',
      tags: ['sweeps'],
      params: sweepIdParamsSchema,
      response: { 200: sweepStatusSchema, ...validatedKeyedErrors, ...errors(404) },
    },
  }),
  cancel: defineRoute({
    method: 'POST',
    url: '/v1/sweeps/:id/cancel',
    access: 'submit',
    schema: {
      summary: 'Cancel a sweep (keeps finished outcomes)',
      tags: ['sweeps'],
      params: sweepIdParamsSchema,
      response: { 200: sweepCancelledSchema, ...validatedKeyedErrors, ...errors(404) },
    },
  }),
  /**
   * Access `submit`, as for submitting and cancelling: whoever may create a tenant's sweeps may
   * remove them (row-level security keeps it to the tenant's own); outcomes still referenced by
   * another sweep, of any tenant, stay.
   */
  delete: defineRoute({
    method: 'DELETE',
    url: '/v1/sweeps/:id',
    access: 'submit',
    schema: {
      summary: 'Delete an ended sweep with its points links, chunks and outcomes no other sweep uses',
      description:
        'A queued or running sweep answers 409: cancel it first. Another tenant’s sweep answers 404.',
      tags: ['sweeps'],
      params: sweepIdParamsSchema,
      response: { 200: sweepDeletedSchema, ...validatedKeyedErrors, ...errors(404, 409) },
    },
  }),
  events: defineRoute({
    method: 'GET',
    url: '/v1/sweeps/:id/events',
    access: 'read',
    schema: {
      summary: 'Progress of a sweep as Server-Sent Events (progress…, end)',
      description:
        'Each event is `id: <n>`, `event: progress` or `end`, and `data:` a JSON SweepProgressEvent; ' +
        'the stream closes after `end`.',
      tags: ['sweeps'],
      params: sweepIdParamsSchema,
      response: {
        200: {
          description: 'text/event-stream of SweepProgressEvent (the schema of one event’s data)',
          content: { 'text/event-stream': { schema: sweepProgressEventSchema } },
        },
        ...validatedKeyedErrors,
        ...errors(404),
      },
    },
  }),
};
