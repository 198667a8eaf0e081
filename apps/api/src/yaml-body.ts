import { apiError } from '@frontline/contracts';
import type { FastifyInstance } from 'fastify';
import { parse as parseYaml } from 'yaml';

/** The content types a YAML spec may be sent as (the CLI reads the same files). */
export const yamlContentTypes = ['application/yaml', 'text/yaml', 'application/x-yaml'];

/**
 * Accept YAML request bodies as JSON is accepted: a sweep spec file can be posted as written
 * (`curl --data-binary @spec.yaml -H 'content-type: application/yaml'`). The body limit applies as
 * to JSON (`parseAs: 'string'` reads under it); the yaml library's alias limit stops alias bombs.
 */
export function acceptYamlBodies(app: FastifyInstance): void {
  app.addContentTypeParser(yamlContentTypes, { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, parseYaml(body as string));
    } catch (error) {
      done(
        apiError('bad_request', `body is not valid YAML: ${(error as Error).message}`, [
          { path: 'body', rule: 'must be valid YAML (or send JSON with content-type: application/json)' },
        ]),
        undefined,
      );
    }
  });
  // Any other type gets a 415 that says what to send instead (after authentication: a stranger
  // learns nothing). Only the spec route: other routes keep the framework's default.
  app.addHook('preParsing', async (request, _reply, payload) => {
    if (request.method !== 'POST' || request.routeOptions.url !== '/v1/sweeps') return payload;
    const type = request.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
    if (type === undefined || type === 'application/json' || yamlContentTypes.includes(type)) return payload;
    throw Object.assign(
      new Error(
        `unsupported content type ${type}: send the spec as JSON (content-type: application/json) or YAML (content-type: application/yaml), e.g. curl --data-binary @spec.yaml -H 'content-type: application/yaml'`,
      ),
      { statusCode: 415 },
    );
  });
}
