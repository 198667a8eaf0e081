import { modelRoutes as contracts } from '@frontline/contracts';
import { parameterCatalogue } from '@frontline/sim';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { fromContract } from './contract.js';

/** GET /v1/model/parameters: the parameter catalogue of a model, from @frontline/sim. */
export const modelRoutes: FastifyPluginAsyncZod = async (app) => {
  app.route({
    ...fromContract(contracts.parameters),
    handler: async (request) => ({
      model: request.query.model,
      parameters: parameterCatalogue(request.query.model),
    }),
  });
};
