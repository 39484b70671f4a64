/**
 * How the admin API reads request bodies. JSON as Fastify parses it (prototype-poisoning checks
 * included), except that an empty body is no body: real clients send `Content-Type:
 * application/json` with nothing after it on bodyless actions (`curl -X POST -H 'content-type:
 * application/json' …/config/rollback/3`), and Kong's admin API takes that as no body, where
 * Fastify would answer 400. A whole config may also be sent as YAML.
 */
import type { FastifyInstance } from 'fastify';
import { parse as parseYaml } from 'yaml';

const YAML_CONTENT_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml'];

/** The 400 for a body Fastify's JSON parser rejected, saying why (Fastify's own message does not). */
function rejectedJson(text: string): Error {
  // Valid JSON is rejected only for prototype poisoning.
  let message = 'the request body is refused: it contains a "__proto__" or "constructor.prototype" key';
  try {
    JSON.parse(text);
  } catch (error) {
    message = `the request body is not valid JSON: ${(error as Error).message}`;
  }
  return Object.assign(new Error(message), { statusCode: 400 });
}

export function registerBodyParsers(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser(app.initialConfig.onProtoPoisoning ?? 'error', app.initialConfig.onConstructorPoisoning ?? 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body as string;
    if (text === '') return done(null, undefined);
    parseJson(request, text, (error, parsed) => (error ? done(rejectedJson(text), undefined) : done(null, parsed)));
  });
  app.addContentTypeParser(YAML_CONTENT_TYPES, { parseAs: 'string' }, (_request, body, done) => {
    const text = body as string;
    if (text === '') return done(null, undefined);
    try {
      done(null, parseYaml(text));
    } catch (error) {
      done(Object.assign(new Error(`invalid YAML: ${(error as Error).message.split('\n')[0]}`), { statusCode: 400 }));
    }
  });
}
