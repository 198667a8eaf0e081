import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { SweepLimits } from '@frontline/contracts';
import { defaultSweepLimits } from '@frontline/contracts';
import type { Queue } from 'bullmq';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import { registerErrorHandling } from './errors.js';
import { healthRoutes } from './routes/health.js';
import { sweepRoutes } from './routes/sweeps.js';
import { createSweepService } from './sweep-service.js';

export interface AppDeps {
  pool: pg.Pool;
  queue: Queue;
  redis: Redis;
  logger?: FastifyBaseLogger | boolean;
  limits?: SweepLimits;
}

export async function buildApp(deps: AppDeps) {
  const limits = deps.limits ?? defaultSweepLimits;
  const app = Fastify({
    loggerInstance: typeof deps.logger === 'object' ? deps.logger : undefined,
    logger: typeof deps.logger === 'boolean' ? deps.logger : undefined,
    bodyLimit: limits.maxBodyBytes,
    genReqId: () => crypto.randomUUID(),
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerErrorHandling(app);

  await app.register(swagger, {
    openapi: { info: { title: 'Frontline API', version: '1.0.0' } },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  const sweeps = createSweepService({ pool: deps.pool, queue: deps.queue, redis: deps.redis, limits });
  await app.register(healthRoutes(deps));
  await app.register(sweepRoutes({ pool: deps.pool, sweeps, limits }));
  return Object.assign(app, { sweeps });
}
export type App = Awaited<ReturnType<typeof buildApp>>;
