import { apiError } from '@frontline/contracts';
import { apiKeyRoles, createApiKey, listApiKeys, revokeApiKey } from '@frontline/db';
import type { FastifyInstance } from 'fastify';
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

/** Key management (admin): create (the token is shown once), list, revoke. */
export function keyRoutes(deps: { pool: pg.Pool }) {
  return async (app: FastifyInstance) => {
    app.post(
      '/v1/keys',
      {
        config: { role: 'admin' },
        schema: { summary: 'Create an API key', tags: ['keys'], body: newKeySchema },
      },
      async (request, reply) => {
        const body = request.body as z.infer<typeof newKeySchema>;
        const key = await createApiKey(deps.pool, {
          tenantId: body.tenant,
          role: body.role,
          name: body.name ?? `${body.role} key for ${body.tenant}`,
        });
        return reply.status(201).send(key);
      },
    );
    app.get(
      '/v1/keys',
      { config: { role: 'admin' }, schema: { summary: 'List API keys', tags: ['keys'] } },
      async () => ({
        items: await listApiKeys(deps.pool),
      }),
    );
    app.post(
      '/v1/keys/:id/revoke',
      {
        config: { role: 'admin' },
        schema: {
          summary: 'Revoke an API key',
          tags: ['keys'],
          params: z.object({ id: z.string().regex(/^[0-9a-f]{16}$/, 'must be a key id (16 hex digits)') }),
        },
      },
      async (request) => {
        const { id } = request.params as { id: string };
        const revoked = await revokeApiKey(deps.pool, id);
        if (!revoked) throw apiError('not_found', `no active API key ${id}`);
        return { id, revoked: true };
      },
    );
  };
}
