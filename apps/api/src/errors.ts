import { ApiError, type ApiErrorCode, type ErrorDetail } from '@frontline/contracts';
import { isConnectionError } from '@frontline/db';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { RetryableError } from './capacity.js';

export function sendError(
  reply: FastifyReply,
  request: FastifyRequest,
  status: number,
  code: ApiErrorCode,
  message: string,
  details?: readonly ErrorDetail[],
) {
  // A body that failed before its first byte (an export's stream) had set its own type and file name.
  reply.removeHeader('content-disposition');
  return reply
    .status(status)
    .type('application/json; charset=utf-8')
    .send({ error: { code, message, requestId: request.id, ...(details ? { details } : {}) } });
}

function codeForStatus(status: number): ApiErrorCode {
  if (status === 404) return 'not_found';
  if (status === 413) return 'payload_too_large';
  if (status === 415) return 'bad_request';
  if (status === 429) return 'rate_limited';
  if (status === 503) return 'unavailable';
  if (status >= 500) return 'internal';
  return 'bad_request';
}

/**
 * Postgres or its pool saying "busy", not "broken": no free connection within the checkout timeout,
 * a statement cancelled by statement_timeout (57014 query_canceled), too many connections or out of
 * resources (class 53), a lock not available in time (55P03). Answered 503 + Retry-After, never 500.
 */
export function busyReason(error: unknown): string | undefined {
  const e = error as { code?: string; message?: string } | undefined;
  if (!e) return undefined;
  if (/timeout exceeded when trying to connect/i.test(e.message ?? ''))
    return 'no database connection became free in time';
  if (e.code === '57014') return 'the query ran past its time limit';
  if (e.code?.startsWith('53')) return 'the database is out of connections or resources';
  if (e.code === '55P03') return 'a lock was not available in time';
  return undefined;
}

/** Every error, thrown or framework-made, leaves in `{ error: { code, message, requestId, details? } }`. */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | ApiError, request, reply) => {
    if (error instanceof RetryableError) reply.header('retry-after', String(error.retryAfterSeconds));
    if (error instanceof ApiError) return reply.status(error.status).send(error.toEnvelope(request.id));
    const validation = (error as FastifyError).validation;
    if (validation) {
      const where = (error as FastifyError).validationContext ?? 'request';
      const details = validation.map((v) => ({
        path: [
          where,
          ...String(v.instancePath ?? '')
            .split('/')
            .filter(Boolean),
        ].join('.'),
        rule: v.message ?? 'invalid',
      }));
      return sendError(
        reply,
        request,
        400,
        'validation_failed',
        `invalid ${where}: ${details.map((d) => `${d.path} ${d.rule}`).join('; ')}`,
        details,
      );
    }
    const busy = busyReason(error);
    if (busy) {
      request.log.warn({ err: error }, 'postgres busy');
      reply.header('retry-after', '2');
      return sendError(reply, request, 503, 'unavailable', `the API is busy: ${busy}; retry shortly`);
    }
    if (isConnectionError(error)) {
      request.log.warn({ err: error }, 'postgres unreachable');
      reply.header('retry-after', '5');
      return sendError(reply, request, 503, 'unavailable', 'the database is unreachable; try again shortly');
    }
    const status = (error as FastifyError).statusCode ?? 500;
    if (status >= 500) {
      request.log.error({ err: error }, 'request failed');
      return sendError(reply, request, status, codeForStatus(status), 'internal error');
    }
    return sendError(reply, request, status, codeForStatus(status), error.message);
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(reply, request, 404, 'not_found', `no route ${request.method} ${request.url.split('?')[0]}`),
  );
}
