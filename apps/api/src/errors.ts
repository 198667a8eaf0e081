import { ApiError, type ApiErrorCode, type ErrorDetail } from '@frontline/contracts';
import { isConnectionError } from '@frontline/db';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export function sendError(
  reply: FastifyReply,
  request: FastifyRequest,
  status: number,
  code: ApiErrorCode,
  message: string,
  details?: readonly ErrorDetail[],
) {
  return reply
    .status(status)
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

/** Every error, thrown or framework-made, leaves in `{ error: { code, message, requestId, details? } }`. */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | ApiError, request, reply) => {
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
    if (isConnectionError(error)) {
      request.log.warn({ err: error }, 'postgres unreachable');
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
