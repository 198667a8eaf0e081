import { type ApiKeyView, apiError, keyRoutes as contracts } from '@frontline/contracts';
import {
  type ApiKeyInfo,
  createApiKeyAs,
  isKeyPermissionError,
  listApiKeysAs,
  revokeApiKeyAs,
} from '@frontline/db';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type pg from 'pg';
import { fromContract } from './contract.js';

/** The admin-or-operator key the auth hook verified for this route. */
function caller(request: FastifyRequest) {
  if (!request.auth) throw apiError('unauthorized', 'this route needs an API key');
  return request.auth;
}

const keyView = (key: ApiKeyInfo): ApiKeyView => ({
  id: key.id,
  tenantId: key.tenantId,
  role: key.role,
  name: key.name,
  createdAt: key.createdAt.toISOString(),
  revokedAt: key.revokedAt?.toISOString() ?? null,
});

/**
 * Key management: create (the token is shown once), list, revoke. An operator manages every
 * tenant's keys; a tenant's admin only its own tenant's, below operator. Postgres enforces the same
 * (migration 0004); these checks give the precise message.
 */
export function keyRoutes(deps: { pool: pg.Pool }) {
  const plugin: FastifyPluginAsyncZod = async (app) => {
    app.route({
      ...fromContract(contracts.create),
      handler: async (request, reply) => {
        const { body } = request;
        const by = caller(request);
        if (by.role !== 'operator' && body.tenant !== by.tenantId)
          throw apiError(
            'forbidden',
            `an admin key manages only its own tenant's keys ("${by.tenantId}"), not tenant "${body.tenant}"`,
          );
        if (by.role !== 'operator' && body.role === 'operator')
          throw apiError('forbidden', 'only an operator key may create an operator key');
        try {
          const key = await createApiKeyAs(deps.pool, by, {
            tenantId: body.tenant,
            role: body.role,
            name: body.name ?? `${body.role} key for ${body.tenant}`,
          });
          return reply.status(201).send({ ...keyView(key), token: key.token });
        } catch (error) {
          if (isKeyPermissionError(error))
            throw apiError('forbidden', 'this API key may not create that key');
          throw error;
        }
      },
    });
    app.route({
      ...fromContract(contracts.list),
      handler: async (request) => ({
        items: (await listApiKeysAs(deps.pool, caller(request))).map(keyView),
      }),
    });
    app.route({
      ...fromContract(contracts.revoke),
      handler: async (request) => {
        const { id } = request.params;
        // Another tenant's key (or, for an admin, an operator key) answers as absent: its existence is not the caller's to learn.
        const revoked = await revokeApiKeyAs(deps.pool, caller(request), id);
        if (!revoked) throw apiError('not_found', `no active API key ${id}`);
        return { id, revoked: true as const };
      },
    });
  };
  return plugin;
}
