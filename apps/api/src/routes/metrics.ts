import { healthRoutes as contracts } from '@frontline/contracts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { ApiMetrics } from '../metrics.js';
import { fromContract } from './contract.js';

/** GET /metrics in the Prometheus text format. */
export function metricsRoutes(metrics: ApiMetrics) {
  const plugin: FastifyPluginAsyncZod = async (app) => {
    app.route({
      ...fromContract(contracts.metrics),
      handler: async (_req, reply) =>
        reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()),
    });
  };
  return plugin;
}
