import { apiError } from '@frontline/contracts';
import {
  apiKeyRoles,
  createApiKeyAs,
  isKeyPermissionError,
  listApiKeysAs,
  revokeApiKeyAs,
} from '@frontline/db';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type pg from 'pg';
import { z } from 'zod';

const newKeySchema = z.strictObject({
  tenant: z
    .string()
    .regex(
      /^[a-z0-9][a-z0-9_-]{0,62}$/,
      'must be 1–63 lowercase letters, digits, "-" or "_", starting alphanumeric',
    ),
  role: z.enum(apiKeyRoles),
  name: z.string().min(1).max(200).optional(),
});

/** The admin-or-operator key the auth hook verified for this route. */
function caller(request: FastifyRequest) {
  if (!request.auth) throw apiError('unauthorized', 'this route needs an API key');
  return request.auth;
}

/**
 * Key management: create (the token is shown once), list, revoke. An operator manages every
 * tenant's keys; a tenant's admin only its own tenant's, below operator. Postgres enforces the same
 * (migration 0004); these checks give the precise message.
 */
export function keyRoutes(deps: { pool: pg.Pool }) {
  return async (app: FastifyInstance) => {
    app.post(
      '/v1/keys',
      {
        config: { access: 'admin' },
        schema: { summary: 'Create an API key', tags: ['keys'], body: newKeySchema },
      },
      async (request, reply) => {
        const body = request.body as z.infer<typeof newKeySchema>;
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
          return reply.status(201).send(key);
        } catch (error) {
          if (isKeyPermissionError(error))
            throw apiError('forbidden', 'this API key may not create that key');
          throw error;
        }
      },
    );
    app.get(
      '/v1/keys',
      {
        config: { access: 'admin' },
        schema: { summary: "List API keys (an admin sees its own tenant's)", tags: ['keys'] },
      },
      async (request) => ({ items: await listApiKeysAs(deps.pool, caller(request)) }),
    );
    app.post(
      '/v1/keys/:id/revoke',
      {
        config: { access: 'admin' },
        schema: {
          summary: 'Revoke an API key',
          tags: ['keys'],
          params: z.object({ id: z.string().regex(/^[0-9a-f]{16}$/, 'must be a key id (16 hex digits)') }),
        },
      },
      async (request) => {
        const { id } = request.params as { id: string };
        // Another tenant's key (or, for an admin, an operator key) answers as absent: its existence is not the caller's to learn.
        const revoked = await revokeApiKeyAs(deps.pool, caller(request), id);
        if (!revoked) throw apiError('not_found', `no active API key ${id}`);
        return { id, revoked: true };
      },
    );
  };
}
