import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

const notBuilt = `The Frontline dashboard is not built.

Build it once from the repository root, then reload this page:

    npx -y pnpm@10.34.9 --filter @frontline/web build      (i.e. pnpm --filter @frontline/web build)

and start the API with DASHBOARD_DIR=<repository>/apps/web/dist (the local stack does).

The API itself is up: see /docs, /v1/sweeps, /v1/queue, /admin/queues and /metrics.
`;

/**
 * The dashboard (apps/web, a static single-page app on the public HTTP API) at `/`. Files are read
 * per request, so a build made while the API runs is picked up without a restart.
 */
export function dashboardRoutes(deps: { dashboardDir?: string }) {
  const root = deps.dashboardDir;
  return async (app: FastifyInstance) => {
    if (root) await app.register(fastifyStatic, { root, prefix: '/', index: false, wildcard: true });
    app.get('/', { config: { access: 'public' }, schema: { hide: true } }, async (_request, reply) => {
      if (root && existsSync(join(root, 'index.html'))) return reply.sendFile('index.html');
      return reply.status(503).type('text/plain; charset=utf-8').send(notBuilt);
    });
  };
}
