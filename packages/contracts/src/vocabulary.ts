import type {
  BestResponse as ModelBestResponse,
  RecistResponse as ModelRecistResponse,
} from '@frontline/sim';
import { z } from 'zod';

/**
 * The words Frontline's data speaks, each listed once: the database column types, the queue, the
 * worker and the HTTP contracts derive from these lists, so adding a word is one edit here.
 */

/** A sweep's life: queued → running → completed | failed | cancelled. */
export const sweepStates = ['queued', 'running', 'completed', 'failed', 'cancelled'] as const;
export type SweepState = (typeof sweepStates)[number];

/** A sweep still holding (or about to hold) workers; it counts against its tenant's active cap. */
export const activeSweepStates = ['queued', 'running'] as const satisfies readonly SweepState[];
export type ActiveSweepState = (typeof activeSweepStates)[number];
export const isActiveSweepState = (state: SweepState): state is ActiveSweepState =>
  (activeSweepStates as readonly SweepState[]).includes(state);

/** A unit of work's life: pending → done | failed | cancelled. */
export const chunkStatuses = ['pending', 'done', 'failed', 'cancelled'] as const;
export type ChunkStatus = (typeof chunkStatuses)[number];

/** Priority classes, highest first (the queue's bands follow this order). */
export const priorities = ['high', 'normal', 'low'] as const;
export type Priority = (typeof priorities)[number];

/** Survival endpoints: overall, progression-free and metastasis-free survival (MODEL.md §7). */
export const survivalEndpoints = ['os', 'pfs', 'mfs'] as const;
export type SurvivalEndpoint = (typeof survivalEndpoints)[number];
export const survivalEndpointSchema = z.enum(survivalEndpoints);

/**
 * What a sweep keeps of its outcomes (docs/spec.md `outcomes`): `full` keeps every patient's row
 * (exports) besides the survival tables and point summaries; `summary` keeps the tables and
 * summaries only.
 */
export const outcomeRetentions = ['full', 'summary'] as const;
export type OutcomeRetention = (typeof outcomeRetentions)[number];

/** Ranked least to most: a tenant's admin manages its own tenant's keys; an operator runs the service (every tenant, the queues). */
export const apiKeyRoles = ['read', 'submit', 'admin', 'operator'] as const;
export type ApiKeyRole = (typeof apiKeyRoles)[number];
export const apiKeyRoleSchema = z.enum(apiKeyRoles);

/**
 * Best overall response, best first. The position is the stored code (smallint 0 CR … 3 PD), so
 * this order is part of the database format: append, never reorder.
 */
export const bestResponses = ['CR', 'PR', 'SD', 'PD'] as const satisfies readonly ModelBestResponse[];
export type BestResponse = (typeof bestResponses)[number];
export const bestResponseSchema = z.enum(bestResponses);

// The model (which depends on nothing of ours) spells its own union: fail typecheck if they drift.
type Missing = Exclude<ModelBestResponse, BestResponse>;
const everyModelResponseListed: [Missing] extends [never] ? true : Missing = true;
void everyModelResponseListed;

/**
 * lf-tid@2's RECIST 1.1 best overall response (docs/model-v2.md §4), best first, NE (not evaluable)
 * last. Stored as its position (smallint), so this order is part of the database format too.
 */
export const recistResponses = [
  'CR',
  'PR',
  'SD',
  'PD',
  'NE',
] as const satisfies readonly ModelRecistResponse[];
export type RecistResponse = (typeof recistResponses)[number];

type MissingRecist = Exclude<ModelRecistResponse, RecistResponse>;
const everyRecistResponseListed: [MissingRecist] extends [never] ? true : MissingRecist = true;
void everyRecistResponseListed;
