import { z } from 'zod';

/** Every error code a Frontline route may return. */
export const apiErrorCodeSchema = z.enum([
  'bad_request',
  'validation_failed',
  'not_found',
  'payload_too_large',
  'limit_exceeded',
  'unauthorized',
  'forbidden',
  'rate_limited',
  'conflict',
  'unavailable',
  'internal',
]);
export type ApiErrorCode = z.infer<typeof apiErrorCodeSchema>;

/** HTTP status of each error code: the one place that decides it. */
export const apiErrorStatus = {
  bad_request: 400,
  validation_failed: 400,
  not_found: 404,
  payload_too_large: 413,
  limit_exceeded: 422,
  unauthorized: 401,
  forbidden: 403,
  rate_limited: 429,
  conflict: 409,
  unavailable: 503,
  internal: 500,
} as const satisfies Record<ApiErrorCode, number>;
export type ApiErrorStatus = (typeof apiErrorStatus)[ApiErrorCode];

/** Where in a request something is wrong (`design.axes.dose[2]`) and which rule it breaks. */
export const errorDetailSchema = z.object({ path: z.string(), rule: z.string() });
export type ErrorDetail = z.infer<typeof errorDetailSchema>;

/** The single error envelope of every route. */
export const apiErrorEnvelopeSchema = z.object({
  error: z.object({
    code: apiErrorCodeSchema,
    message: z.string(),
    requestId: z.string(),
    details: z.array(errorDetailSchema).optional(),
  }),
});
export type ApiErrorEnvelope = z.infer<typeof apiErrorEnvelopeSchema>;

/**
 * An error a route can throw or return; the HTTP layer turns it into the envelope, adding the
 * request id it alone knows.
 */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly status: ApiErrorStatus;

  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly details?: readonly ErrorDetail[],
  ) {
    super(message);
    this.status = apiErrorStatus[code];
  }

  toEnvelope(requestId: string): ApiErrorEnvelope {
    const error: ApiErrorEnvelope['error'] = { code: this.code, message: this.message, requestId };
    if (this.details && this.details.length > 0) error.details = [...this.details];
    return { error };
  }
}

export function apiError(code: ApiErrorCode, message: string, details?: readonly ErrorDetail[]): ApiError {
  return new ApiError(code, message, details);
}
