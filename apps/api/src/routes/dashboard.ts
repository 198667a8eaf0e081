import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/** apps/web/dist, from src/routes (tsx) and dist/routes (built) alike. */
export const defaultDashboardDir = fileURLToPath(new URL('../../../web/dist/', import.meta.url));

const notBuilt = `The Frontline dashboard is not built.

Build it once from the repository root, then reload this page:

    npx -y pnpm@10.34.9 --filter @frontline/web build      (i.e. pnpm --filter @frontline/web build)

The API itself is up: see /docs, /v1/sweeps, /v1/queue, /admin/queues and /metrics.
`;

/**
 * The dashboard (apps/web, a static single-page app on the public HTTP API) at `/`. Files are read
 * per request, so a build made while the API runs is picked up without a restart.
 */
export function dashboardRoutes(deps: { dashboardDir?: string }) {
  const root = deps.dashboardDir ?? defaultDashboardDir;
  return async (app: FastifyInstance) => {
    await app.register(fastifyStatic, { root, prefix: '/', index: false, wildcard: true });
    app.get('/', { config: { access: 'public' }, schema: { hide: true } }, async (_request, reply) => {
      if (existsSync(join(root, 'index.html'))) return reply.sendFile('index.html');
      return reply.status(503).type('text/plain; charset=utf-8').send(notBuilt);
    });
  };
}
