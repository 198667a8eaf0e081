import { apiError, keyRoutes as contracts } from '@frontline/contracts';
import { verifyApiKey } from '@frontline/db';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type pg from 'pg';
import { ownOrigin } from '../auth.js';
import { fromContract } from './contract.js';

/**
 * The dashboard's sign-in: the server sets the key cookie, so page scripts never hold it
 * (HttpOnly), other sites never send it (SameSite=Strict), and another stack on the same host has a
 * cookie of its own name. Fetches, the progress EventSource, downloads and Bull Board carry it.
 */
export function sessionRoutes(deps: { pool: pg.Pool; cookieName: string }) {
  function setCookie(request: FastifyRequest, reply: FastifyReply, value: string, maxAge?: number) {
    const attributes = ['Path=/', 'HttpOnly', 'SameSite=Strict'];
    if (request.protocol === 'https') attributes.push('Secure');
    if (maxAge !== undefined) attributes.push(`Max-Age=${maxAge}`);
    reply.header('set-cookie', `${deps.cookieName}=${encodeURIComponent(value)}; ${attributes.join('; ')}`);
  }
  // Signing in or out is also a write a foreign page could attempt: only this API's own pages may.
  function checkOrigin(request: FastifyRequest) {
    const origin = request.headers.origin;
    if (origin !== undefined && origin !== ownOrigin(request))
      throw apiError(
        'forbidden',
        `sign-in and sign-out come from this API's own pages: Origin must be ${ownOrigin(request)}`,
      );
  }
  const plugin: FastifyPluginAsyncZod = async (app) => {
    app.route({
      ...fromContract(contracts.signIn),
      handler: async (request, reply) => {
        checkOrigin(request);
        const { key } = request.body;
        const verified = await verifyApiKey(deps.pool, key.trim());
        if (!verified) throw apiError('unauthorized', 'unknown or revoked API key');
        setCookie(request, reply, key.trim());
        return { tenantId: verified.tenantId, role: verified.role };
      },
    });
    app.route({
      ...fromContract(contracts.signOut),
      handler: async (request, reply) => {
        checkOrigin(request);
        setCookie(request, reply, '', 0);
        return reply.status(204).send(null);
      },
    });
  };
  return plugin;
}
