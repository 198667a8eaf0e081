import type { FastifyInstance } from 'fastify';
import type { ApiMetrics } from '../metrics.js';

/** GET /metrics in the Prometheus text format. */
export function metricsRoutes(metrics: ApiMetrics) {
  return async (app: FastifyInstance) => {
    app.get(
      '/metrics',
      { config: { access: 'public' }, schema: { summary: 'Prometheus metrics', tags: ['monitoring'] } },
      async (_req, reply) => reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()),
    );
  };
}
