/**
 * The whole declarative config on the admin API: `GET/POST /config` (POST replaces it, as Kong's
 * DB-less `/config`), `GET /config/versions`, `POST /config/rollback/{version}`, and the diff of a
 * document (`POST /config/diff`) or of two stored versions (`GET /config/diff?from=&to=`).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { parse as parseYaml } from 'yaml';
import type { ConfigStore } from '../config-store/config-store.js';
import { hashCredentials, toDocument } from '../config-store/document.js';
import { withoutPrivateKeys, withStoredPrivateKeys } from '../config-store/private-keys.js';
import { diffConfigs } from '../config/diff.js';
import type { GatewayConfig } from '../config/types.js';
import { validateConfig } from '../config/validate.js';
import type { PluginRegistry } from '../pipeline/registry.js';
import type { GatewayRuntime } from '../runtime/runtime.js';
import { AdminError, invalidConfig } from './admin-errors.js';
import { parseIfMatch, type ConfigWriter } from './config-writer.js';

export interface ConfigRouteDeps {
  runtime: GatewayRuntime;
  store: ConfigStore;
  registry: PluginRegistry;
  writer: ConfigWriter;
}

/**
 * The posted document: the JSON body itself, or Kong's `{"config": "<yaml or json text>"}`. No body is
 * `{}`, which validation then rejects for its missing `_format_version`.
 */
function postedDocument(request: FastifyRequest): unknown {
  const body = (request.body === undefined ? {} : request.body) as Record<string, unknown>;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new AdminError(400, 'the request body must be a declarative config document');
  if (typeof body.config === 'string' && body._format_version === undefined) {
    try {
      return parseYaml(body.config) as unknown;
    } catch (error) {
      throw new AdminError(400, `config is not valid YAML or JSON: ${(error as Error).message.split('\n')[0]}`);
    }
  }
  return body;
}

function versionParam(value: string | undefined, name: string): number {
  if (value === undefined || !/^\d+$/.test(value)) throw new AdminError(400, `${name} must be a config version number`);
  return Number(value);
}

export function registerConfigRoutes(app: FastifyInstance, deps: ConfigRouteDeps): void {
  const { runtime, store, registry, writer } = deps;
  const served = () => {
    const current = runtime.current;
    if (!current) throw new AdminError(503, 'no config version loaded yet');
    return current;
  };
  const validated = (document: unknown): GatewayConfig => {
    const result = validateConfig(document, registry);
    if (!result.ok) throw invalidConfig(result.issues);
    return result.config;
  };
  const storedVersion = async (version: number): Promise<GatewayConfig> => {
    if (version === runtime.version && runtime.current) return runtime.current.config;
    const document = await store.read(version);
    if (document === null) throw new AdminError(404, `config version ${version} is not stored`);
    return validated(document);
  };

  // Credentials come out in their hashed at-rest form, which POST /config accepts back unchanged.
  // Private keys never come out; a document posted back without them keeps the stored ones.
  app.get('/config', async () => withoutPrivateKeys(toDocument(hashCredentials(served().config))));

  app.post('/config', async (request, reply) => {
    const document = postedDocument(request);
    const result = await writer.write(parseIfMatch(request.headers['if-match']), 'admin: POST /config', () => ({ config: document }));
    return reply.code(201).send({ config_version: result.version });
  });

  app.get('/config/versions', async () => ({ current: runtime.version, data: await store.versions() }));

  app.get('/config/versions/:version', async (request) => {
    const version = versionParam((request.params as { version?: string }).version, 'version');
    return withoutPrivateKeys(toDocument(hashCredentials(await storedVersion(version))));
  });

  app.post('/config/rollback/:version', async (request, reply) => {
    writer.assertWritable();
    const version = versionParam((request.params as { version?: string }).version, 'version');
    const document = await store.read(version);
    if (document === null) throw new AdminError(404, `config version ${version} is not stored`);
    const result = await writer.write(parseIfMatch(request.headers['if-match']), `rollback to ${version}`, () => ({ config: document }));
    return reply.code(201).send({ config_version: result.version, rolled_back_to: version });
  });

  app.post('/config/diff', async (request) => {
    const current = served();
    return { config_version: current.version, ...diffConfigs(current.config, validated(withStoredPrivateKeys(postedDocument(request), current.config))) };
  });

  app.get('/config/diff', async (request) => {
    const query = request.query as { from?: string; to?: string };
    const from = versionParam(query.from, 'from');
    const to = query.to === undefined ? runtime.version : versionParam(query.to, 'to');
    return { from, to, ...diffConfigs(await storedVersion(from), await storedVersion(to)) };
  });
}
