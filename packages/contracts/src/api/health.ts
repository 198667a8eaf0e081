import { z } from 'zod';
import { defineRoute, errors } from './common.js';

export const livenessSchema = z.object({ status: z.literal('ok') });

/**
 * `ready`, `saturated` (Postgres answers but pools or the heavy gate are full; the API sheds load
 * itself with 429/503 + Retry-After) or `unavailable` (Postgres or Redis down: HTTP 503).
 */
export const readinessSchema = z.object({
  status: z.enum(['ready', 'saturated', 'unavailable']),
  checks: z.object({
    postgres: z.enum(['ok', 'saturated', 'down']),
    redis: z.enum(['ok', 'down']),
  }),
});
export type Readiness = z.infer<typeof readinessSchema>;

export const healthRoutes = {
  liveness: defineRoute({
    method: 'GET',
    url: '/healthz',
    access: 'public',
    schema: { summary: 'Liveness', tags: ['health'], response: { 200: livenessSchema } },
  }),
  readiness: defineRoute({
    method: 'GET',
    url: '/readyz',
    access: 'public',
    schema: {
      summary: 'Postgres and Redis reachable; saturated or not',
      tags: ['health'],
      response: { 200: readinessSchema, 503: readinessSchema, ...errors(500) },
    },
  }),
  metrics: defineRoute({
    method: 'GET',
    url: '/metrics',
    access: 'public',
    schema: {
      summary: 'Prometheus metrics',
      tags: ['monitoring'],
      response: {
        200: {
          description: 'Prometheus text exposition format',
          content: { 'text/plain': { schema: z.string() } },
        },
        ...errors(500),
      },
    },
  }),
};
