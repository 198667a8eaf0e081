import { z } from 'zod';
import { prioritySchema, sweepSpecStructureSchema } from './spec.js';
import { sweepStates } from './vocabulary.js';

/**
 * Request and response shapes of the HTTP API, shared by the API (validation + OpenAPI), the CLI
 * and the dashboard. Errors use apiErrorEnvelopeSchema (errors.ts).
 */

export const sweepStateSchema = z.enum(sweepStates);
export type SweepState = z.infer<typeof sweepStateSchema>;

const count = z.int().nonnegative();
const timestamp = z.iso.datetime({ offset: true });

/** Response to POST /sweeps. */
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

export const sweepProgressSchema = z.object({
  /** Simulations finished, reused ones included. */
  done: count,
  total: count,
  failed: count,
  reused: count,
});
export type SweepProgress = z.infer<typeof sweepProgressSchema>;

const sweepSummaryShape = {
  id: z.uuid(),
  name: z.string(),
  status: sweepStateSchema,
  priority: prioritySchema,
  progress: sweepProgressSchema,
  /** Simulations per second over the recent past. */
  ratePerSecond: z.number().nonnegative(),
  /** Null while no rate is known or once the sweep has ended. */
  etaSeconds: z.number().nonnegative().nullable(),
  points: count,
  patients: count,
  createdAt: timestamp,
  startedAt: timestamp.nullable(),
  finishedAt: timestamp.nullable(),
  failureReason: z.string().nullable(),
  modelId: z.string(),
  codeVersion: z.string(),
};

/** Response to GET /sweeps/:id. */
export const sweepStatusSchema = z.object({
  ...sweepSummaryShape,
  /** The spec as accepted (defaults filled in). */
  spec: sweepSpecStructureSchema,
});
export type SweepStatus = z.infer<typeof sweepStatusSchema>;

/** One row of GET /sweeps: the status without the spec. */
export const sweepSummarySchema = z.object(sweepSummaryShape);
export type SweepSummary = z.infer<typeof sweepSummarySchema>;

/** Response to GET /sweeps, newest first; pass nextCursor back as `cursor` for the next page. */
export const sweepListSchema = z.object({
  items: z.array(sweepSummarySchema),
  nextCursor: z.string().nullable(),
});
export type SweepList = z.infer<typeof sweepListSchema>;

/** Query of GET /sweeps. */
export const listSweepsQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().min(1).optional(),
  status: sweepStateSchema.optional(),
});
export type ListSweepsQuery = z.infer<typeof listSweepsQuerySchema>;

/** Path parameters of /sweeps/:id routes. */
export const sweepIdParamsSchema = z.object({ id: z.uuid() });

export const queueStatusSchema = z.object({
  name: z.string(),
  prefix: z.string(),
  paused: z.boolean(),
  /** `waiting` includes prioritized jobs: every chunk job carries a priority. */
  counts: z.object({ waiting: count, active: count, delayed: count, failed: count, completed: count }),
  workers: z.array(
    z.object({
      host: z.string(),
      pid: z.int().nullable(),
      threads: z.int().nullable(),
      busy: z.int().nullable(),
      lastSeenAt: z.string().nullable(),
    }),
  ),
  throughput: z.object({
    windowSeconds: z.number(),
    completedJobs: count,
    failedJobs: count,
    /** Patients simulated by the jobs that completed in the window. */
    simulations: count,
    simulationsPerSecond: z.number().nonnegative(),
  }),
  /** Age of the longest-waiting job (null when none waits). */
  oldestWaitingAgeSeconds: z.number().nonnegative().nullable(),
});
/** Response of GET /v1/queue (consumed by `frontline queue`). */
export const queueOverviewSchema = z.object({ queues: z.array(queueStatusSchema) });
export type QueueOverview = z.infer<typeof queueOverviewSchema>;
export type QueueStatus = z.infer<typeof queueStatusSchema>;
