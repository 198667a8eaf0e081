import type { Readable } from 'node:stream';
import type { Access, RouteContract } from '@frontline/contracts';
import type { FastifyReply } from 'fastify';

/**
 * A route's options from its contract (method, URL, schemas, access): pass them to `app.route` with
 * a handler, and the zod type provider types its params, query, body and reply from the contract.
 */
export const fromContract = <const C extends RouteContract>(
  contract: C,
): { method: C['method']; url: C['url']; schema: C['schema']; config: { access: Access } } => ({
  method: contract.method,
  url: contract.url,
  schema: contract.schema,
  config: { access: contract.access },
});

/**
 * Send a body Fastify passes through unserialised: a stream, or JSON text or its bytes made elsewhere
 * (the statistics threads). Its contract still documents it; tests check real answers against it.
 */
export const sendAsIs = (reply: FastifyReply, payload: string | Buffer | Readable) => reply.send(payload);
