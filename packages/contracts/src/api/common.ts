import { z } from 'zod';
import { type ApiErrorStatus, apiErrorEnvelopeSchema } from '../errors.js';
import type { ApiKeyRole } from '../vocabulary.js';

/** A non-negative integer count. */
export const count = z.int().nonnegative();
/** An ISO 8601 instant with its offset, as every response writes dates. */
export const timestamp = z.iso.datetime({ offset: true });

/** Who may call a route: anyone, or a key of at least this role (read < submit < admin < operator). */
export type ApiKeyRoleName = ApiKeyRole;
export type Access = 'public' | ApiKeyRoleName;

/** Where a schema is a document of non-JSON content (a file, a stream), keyed by content type. */
export interface ContentResponse {
  description: string;
  content: Record<string, { schema: z.ZodType }>;
}

/** Params, query, body and one response per status code a route can answer. */
export interface RouteSchema {
  summary: string;
  description?: string;
  tags: string[];
  params?: z.ZodType;
  querystring?: z.ZodType;
  body?: z.ZodType;
  response: Record<number, z.ZodType | ContentResponse>;
}

/** One route of the HTTP API: where it lives, who may call it, and every shape it reads and writes. */
export interface RouteContract {
  method: 'GET' | 'POST' | 'DELETE';
  url: string;
  access: Access;
  schema: RouteSchema;
}

/** Declare a route contract, keeping its literal types (the API's handlers are typed from them). */
export const defineRoute = <const C extends RouteContract>(contract: C): C => contract;

/** The error envelope at each of the given statuses: `errors(400, 404)` → `{400: envelope, 404: envelope}`. */
export function errors<const S extends readonly ApiErrorStatus[]>(
  ...statuses: S
): { [K in S[number]]: typeof apiErrorEnvelopeSchema } {
  return Object.fromEntries(statuses.map((status) => [status, apiErrorEnvelopeSchema])) as {
    [K in S[number]]: typeof apiErrorEnvelopeSchema;
  };
}

/**
 * What any route behind an API key can answer besides its own errors: no or a bad key (401), a key
 * of too low a role or a cross-site cookie write (403), the per-key rate limit (429), Postgres busy
 * or unreachable (503), and the unforeseen (500).
 */
export const keyedErrors = errors(401, 403, 429, 500, 503);
/** The same plus a request that breaks its schema (400). */
export const validatedKeyedErrors = errors(400, 401, 403, 429, 500, 503);
