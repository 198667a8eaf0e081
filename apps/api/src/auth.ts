import { type Access, ApiError, apiError } from '@frontline/contracts';
import { type ApiKeyRole, forTenant, type VerifiedApiKey, verifyApiKey } from '@frontline/db';
import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import type pg from 'pg';
import { bullBoardPath } from './routes/queue.js';

/** Who may call a route: anyone, or a key of at least this role; declared with its contract. */
export type { Access };

declare module 'fastify' {
  interface FastifyRequest {
    /** The verified API key of a request to a route that needs one. */
    auth: VerifiedApiKey | undefined;
    /** How the key came: a cookie-held key is held to the cross-site rules of `checkCookieWrite`. */
    authBy: 'bearer' | 'cookie' | undefined;
    /** The database as the key's tenant: row-level security shows only that tenant's sweeps. */
    tenantDb: pg.Pool;
  }
  interface FastifyContextConfig {
    /** Who may call this route: from its contract (routes/contract.ts), or see `assignPluginAccess`. */
    access?: Access;
  }
}

const roleRank: Record<ApiKeyRole, number> = { read: 0, submit: 1, admin: 2, operator: 3 };

/** Whether a key of `role` may do what needs `needed` (read < submit < admin < operator). */
export const roleAllows = (role: ApiKeyRole, needed: ApiKeyRole) => roleRank[role] >= roleRank[needed];

/**
 * Routes that plugins define, whose options we do not write: judged by the URL they were
 * registered under (never a request's URL).
 */
function pluginAccess(url: string): Access | undefined {
  // Bull Board retries, cleans and removes every tenant's jobs.
  if (url === bullBoardPath || url.startsWith(`${bullBoardPath}/`)) return 'operator';
  if (url === '/docs' || url.startsWith('/docs/')) return 'public'; // @fastify/swagger-ui
  if (url === '/*') return 'public'; // @fastify/static: the dashboard's files
  return undefined;
}

/** A registered route and who may call it (the authorization matrix test walks these). */
export interface RouteAccess {
  method: string;
  url: string;
  access: Access;
}

/** Refuse to start with a route that does not say who may call it: deny by default. */
function assignPluginAccess(route: RouteOptions): Access {
  route.config = route.config ?? {};
  const config = route.config as { access?: Access };
  if (config.access) return config.access;
  const access = pluginAccess(route.url);
  if (!access) throw new Error(`route ${route.method} ${route.url} declares no access level (config.access)`);
  config.access = access;
  return access;
}

function presentedKey(
  request: FastifyRequest,
  cookieName: string,
): { token: string; by: 'bearer' | 'cookie' } | undefined {
  const header = request.headers.authorization;
  if (typeof header === 'string') {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) throw apiError('unauthorized', 'Authorization header must be "Bearer <api key>"');
    return { token: match[1]!, by: 'bearer' };
  }
  const token = readCookie(request, cookieName);
  return token ? { token, by: 'cookie' } : undefined;
}

export function readCookie(request: FastifyRequest, name: string): string | undefined {
  const cookies = request.headers.cookie;
  if (typeof cookies !== 'string') return undefined;
  for (const part of cookies.split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key !== name) continue;
    try {
      return decodeURIComponent(value.join('='));
    } catch {
      return undefined; // a malformed cookie is no key
    }
  }
  return undefined;
}

/** This API's own origin as the request reached it. */
export const ownOrigin = (request: FastifyRequest) => `${request.protocol}://${request.host}`;

/**
 * A browser attaches the cookie to requests any site makes. A write authenticated by it must come
 * from this API's own pages (the Origin header, which pages cannot forge) and carry JSON if it
 * carries a body (a cross-site form or `text/plain` fetch cannot send JSON without CORS).
 */
function checkCookieWrite(request: FastifyRequest): void {
  if (request.method === 'GET' || request.method === 'HEAD') return;
  const origin = request.headers.origin;
  if (origin !== ownOrigin(request))
    throw apiError(
      'forbidden',
      `a cookie-authenticated ${request.method} must come from this API's own pages: Origin must be ${ownOrigin(request)} (got ${origin ?? 'none'}); other clients send "Authorization: Bearer <api key>"`,
    );
  const hasBody =
    request.headers['transfer-encoding'] !== undefined || Number(request.headers['content-length'] ?? 0) > 0;
  const type = String(request.headers['content-type'] ?? '')
    .split(';')[0]!
    .trim()
    .toLowerCase();
  if (hasBody && type !== 'application/json')
    throw apiError(
      'forbidden',
      `a cookie-authenticated ${request.method} with a body must send Content-Type application/json (got ${type || 'none'})`,
    );
}

/**
 * Access is decided from the route Fastify matched (its path already decoded and normalised by the
 * router), never from the raw request URL: however a path is spelled, it reaches a route that
 * says who may call it, or the 404 handler, which needs no key and reveals nothing.
 */
export function registerAuth(
  app: FastifyInstance,
  pool: pg.Pool,
  options: { cookieName: string },
): RouteAccess[] {
  const routes: RouteAccess[] = [];
  app.decorateRequest('auth', undefined);
  app.decorateRequest('authBy', undefined);
  app.decorateRequest('tenantDb', {
    getter(this: FastifyRequest) {
      if (!this.auth) throw apiError('unauthorized', 'this route needs an API key');
      return forTenant(pool, this.auth.tenantId);
    },
  });
  app.addHook('onRoute', (route) => {
    const access = assignPluginAccess(route);
    for (const method of [route.method].flat()) routes.push({ method, url: route.url, access });
  });
  app.addHook('onRequest', async (request, reply) => {
    if (request.is404) return;
    const access = request.routeOptions.config?.access;
    if (access === 'public') return;
    try {
      // onRoute gave every route a level; a route without one is refused rather than opened.
      if (!access) throw apiError('forbidden', 'this route declares no access level');
      const presented = presentedKey(request, options.cookieName);
      if (!presented)
        throw apiError('unauthorized', 'missing API key: send "Authorization: Bearer <api key>"');
      const key = await verifyApiKey(pool, presented.token);
      if (!key) throw apiError('unauthorized', 'unknown or revoked API key');
      if (!roleAllows(key.role, access))
        throw apiError(
          'forbidden',
          `this API key has role "${key.role}"; ${request.method} ${request.routeOptions.url} needs "${access}"`,
        );
      if (presented.by === 'cookie') checkCookieWrite(request);
      request.auth = key;
      request.authBy = presented.by;
    } catch (error) {
      // Answered here, not thrown: plugins with their own error handler (Bull Board) would turn it into a 500.
      if (!(error instanceof ApiError)) throw error;
      return reply.status(error.status).send(error.toEnvelope(request.id));
    }
  });
  return routes;
}
