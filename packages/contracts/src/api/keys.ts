import { z } from 'zod';
import { apiKeyRoleSchema } from '../vocabulary.js';
import { defineRoute, errors, keyedErrors, timestamp, validatedKeyedErrors } from './common.js';

/** Body of POST /v1/keys. */
export const newApiKeySchema = z.strictObject({
  tenant: z
    .string()
    .regex(
      /^[a-z0-9][a-z0-9_-]{0,62}$/,
      'must be 1–63 lowercase letters, digits, "-" or "_", starting alphanumeric',
    ),
  role: apiKeyRoleSchema,
  name: z.string().min(1).max(200).optional(),
});
export type NewApiKey = z.infer<typeof newApiKeySchema>;

/** An API key as its managers see it (never its secret). */
export const apiKeyInfoSchema = z.object({
  id: z.string(),
  tenantId: z.string(),
  role: apiKeyRoleSchema,
  name: z.string(),
  createdAt: timestamp,
  revokedAt: timestamp.nullable(),
});
export type ApiKeyView = z.infer<typeof apiKeyInfoSchema>;

/** Response to POST /v1/keys: the key and its token, shown this once. */
export const createdApiKeySchema = apiKeyInfoSchema.extend({ token: z.string() });
export type CreatedApiKey = z.infer<typeof createdApiKeySchema>;

export const apiKeyListSchema = z.object({ items: z.array(apiKeyInfoSchema) });
export type ApiKeyList = z.infer<typeof apiKeyListSchema>;

export const apiKeyIdParamsSchema = z.object({
  id: z.string().regex(/^[0-9a-f]{16}$/, 'must be a key id (16 hex digits)'),
});
export const revokedApiKeySchema = z.object({ id: z.string(), revoked: z.literal(true) });
export type RevokedApiKey = z.infer<typeof revokedApiKeySchema>;

/** Body of POST /v1/session (the dashboard's sign-in). */
export const sessionBodySchema = z.strictObject({ key: z.string().min(1).max(200) });
export const sessionSchema = z.object({ tenantId: z.string(), role: apiKeyRoleSchema });
export type Session = z.infer<typeof sessionSchema>;

export const keyRoutes = {
  create: defineRoute({
    method: 'POST',
    url: '/v1/keys',
    access: 'admin',
    schema: {
      summary: 'Create an API key',
      tags: ['keys'],
      body: newApiKeySchema,
      response: { 201: createdApiKeySchema, ...validatedKeyedErrors },
    },
  }),
  list: defineRoute({
    method: 'GET',
    url: '/v1/keys',
    access: 'admin',
    schema: {
      summary: "List API keys (an admin sees its own tenant's)",
      tags: ['keys'],
      response: { 200: apiKeyListSchema, ...keyedErrors },
    },
  }),
  revoke: defineRoute({
    method: 'POST',
    url: '/v1/keys/:id/revoke',
    access: 'admin',
    schema: {
      summary: 'Revoke an API key',
      tags: ['keys'],
      params: apiKeyIdParamsSchema,
      response: { 200: revokedApiKeySchema, ...validatedKeyedErrors, ...errors(404) },
    },
  }),
  signIn: defineRoute({
    method: 'POST',
    url: '/v1/session',
    access: 'public',
    schema: {
      summary: 'Sign the dashboard in: verify a key and set it as an HttpOnly cookie',
      tags: ['keys'],
      body: sessionBodySchema,
      // 401: unknown key; 403: from another site's page.
      response: { 200: sessionSchema, ...errors(400, 401, 403, 500, 503) },
    },
  }),
  signOut: defineRoute({
    method: 'DELETE',
    url: '/v1/session',
    access: 'public',
    schema: {
      summary: 'Sign the dashboard out: clear the key cookie',
      tags: ['keys'],
      response: { 204: z.null().meta({ description: 'No content' }), ...errors(403, 500) },
    },
  }),
};
