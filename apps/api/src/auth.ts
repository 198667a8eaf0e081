import { ApiError, apiError } from '@frontline/contracts';
import { type ApiKeyInfo, type ApiKeyRole, forTenant, verifyApiKey } from '@frontline/db';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type pg from 'pg';

declare module 'fastify' {
  interface FastifyRequest {
    /** The verified API key of a /v1 or /admin request. */
    auth: ApiKeyInfo | undefined;
    /** The database as the key's tenant: row-level security shows only that tenant's sweeps. */
    tenantDb: pg.Pool;
  }
  interface FastifyContextConfig {
    /** Least role a route needs; default: `read` for GET/HEAD, `submit` otherwise. */
    role?: ApiKeyRole;
  }
}

const roleRank: Record<ApiKeyRole, number> = { read: 0, submit: 1, admin: 2 };
/** Cookie a browser holds the key in, for what cannot send headers (EventSource, Bull Board pages). */
export const keyCookie = 'frontline_key';

/** Open routes: health, readiness and metrics (for probes and Prometheus), the dashboard's files, docs. */
function needsKey(path: string): boolean {
  return path.startsWith('/v1/') || path === '/v1' || path.startsWith('/admin');
}

function presentedKey(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (typeof header === 'string') {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) throw apiError('unauthorized', 'Authorization header must be "Bearer <api key>"');
    return match[1];
  }
  const cookies = request.headers.cookie;
  if (typeof cookies !== 'string') return undefined;
  for (const part of cookies.split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === keyCookie) return decodeURIComponent(value.join('='));
  }
  return undefined;
}

/** Bearer API keys on every /v1 and /admin route, checked against hashes in Postgres. */
export function registerAuth(app: FastifyInstance, pool: pg.Pool): void {
  app.decorateRequest('auth', undefined);
  app.decorateRequest('tenantDb', {
    getter(this: FastifyRequest) {
      if (!this.auth) throw apiError('unauthorized', 'this route needs an API key');
      return forTenant(pool, this.auth.tenantId);
    },
  });
  app.addHook('onRequest', async (request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    if (!needsKey(path)) return;
    try {
      request.auth = await authorise(request, path);
    } catch (error) {
      // Answered here, not thrown: plugins with their own error handler (Bull Board) would turn it into a 500.
      if (!(error instanceof ApiError)) throw error;
      return reply.status(error.status).send(error.toEnvelope(request.id));
    }
  });

  async function authorise(request: FastifyRequest, path: string): Promise<ApiKeyInfo> {
    const token = presentedKey(request);
    if (!token) throw apiError('unauthorized', 'missing API key: send "Authorization: Bearer <api key>"');
    const key = await verifyApiKey(pool, token);
    if (!key) throw apiError('unauthorized', 'unknown or revoked API key');
    // Bull Board can retry, clean and remove jobs of every tenant: admins only.
    const needed: ApiKeyRole = path.startsWith('/admin')
      ? 'admin'
      : (request.routeOptions.config?.role ??
        (request.method === 'GET' || request.method === 'HEAD' ? 'read' : 'submit'));
    if (roleRank[key.role] < roleRank[needed])
      throw apiError(
        'forbidden',
        `this API key has role "${key.role}"; ${request.method} ${path} needs "${needed}"`,
      );
    return key;
  }
}
