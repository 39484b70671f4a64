/**
 * `GET /openapi.json` (the admin API described as OpenAPI 3.1, its entity schemas generated from the
 * same zod schemas that validate the config) and `GET /schemas/plugins/{name}` (a plugin's config
 * schema as JSON Schema, with each field's description).
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { configSchema } from '../config/schema.js';
import type { PluginRegistry } from '../pipeline/registry.js';
import { AdminError } from './admin-errors.js';
import { NESTED, TOP_LEVEL, type CollectionSpec } from './collections.js';
import { pluginAdminRoutes } from './plugin-routes.js';

type JsonSchema = Record<string, unknown> & { properties?: Record<string, JsonSchema>; items?: JsonSchema };

function jsonSchema(schema: z.ZodType): JsonSchema {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

function without(schema: JsonSchema, fields: readonly string[]): JsonSchema {
  const properties = { ...schema.properties };
  for (const field of fields) delete properties[field];
  return { ...schema, properties };
}

/** Component names by URL segment. */
const COMPONENT: Record<string, string> = {
  services: 'Service',
  routes: 'Route',
  consumers: 'Consumer',
  plugins: 'Plugin',
  upstreams: 'Upstream',
  targets: 'Target',
  'key-auth': 'KeyAuthCredential',
  jwt: 'JwtSecret',
  'basic-auth': 'BasicAuthCredential',
  acls: 'AclGroup',
  certificates: 'Certificate',
  snis: 'Sni',
  ca_certificates: 'CaCertificate',
};

function components(registry: PluginRegistry): Record<string, JsonSchema> {
  const config = jsonSchema(configSchema(registry));
  const item = (list: string) => config.properties![list]!.items!;
  const consumer = item('consumers');
  const credential = (field: string) => consumer.properties![field]!.items!;
  return {
    Config: config,
    Service: without(item('services'), ['routes', 'plugins']),
    Route: without(item('routes'), ['plugins']),
    Consumer: without(consumer, ['keyauth_credentials', 'jwt_secrets', 'basicauth_credentials', 'acls', 'plugins']),
    Plugin: item('plugins'),
    Upstream: without(item('upstreams'), ['targets']),
    Target: item('upstreams').properties!.targets!.items!,
    KeyAuthCredential: credential('keyauth_credentials'),
    JwtSecret: credential('jwt_secrets'),
    BasicAuthCredential: credential('basicauth_credentials'),
    AclGroup: credential('acls'),
    Certificate: item('certificates'),
    Sni: item('snis'),
    CaCertificate: item('ca_certificates'),
    Error: {
      type: 'object',
      properties: { message: { type: 'string' }, fields: { type: 'object', additionalProperties: { type: 'string' }, description: 'path → reason, for a rejected write' } },
      required: ['message'],
    },
    Diff: {
      type: 'object',
      properties: Object.fromEntries(
        ['created', 'updated', 'deleted'].map((k) => [k, { type: 'array', items: { type: 'object', properties: { kind: { type: 'string' }, name: { type: 'string' } } } }]),
      ),
    },
  };
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: unknown, description: string) => ({ description, content: { 'application/json': { schema } } });
const ERRORS = {
  '400': json(ref('Error'), 'Invalid write: every field error, nothing changed'),
  '404': json(ref('Error'), 'Not found'),
  '405': json(ref('Error'), 'Writes are disabled in file mode'),
  '409': json(ref('Error'), 'If-Match is not the current config version'),
  '503': json(ref('Error'), 'The config store (Redis) is unreachable; nothing changed'),
};
const IF_MATCH = { name: 'If-Match', in: 'header', required: false, schema: { type: 'integer' }, description: 'Config version this write is based on.' };
const pathParam = (name: string, description: string) => ({ name, in: 'path', required: true, schema: { type: 'string' }, description });

function collectionPaths(base: string, spec: CollectionSpec, params: object[]): Record<string, unknown> {
  const entity = ref(COMPONENT[spec.segment]!);
  const page = [
    { name: 'size', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } },
    { name: 'offset', in: 'query', schema: { type: 'string' }, description: 'The `offset` of the previous page.' },
  ];
  const list = { type: 'object', properties: { data: { type: 'array', items: entity }, next: { type: ['string', 'null'] }, offset: { type: 'string' } } };
  const body = { required: true, content: { 'application/json': { schema: entity } } };
  const key = pathParam('key', `${spec.segment} name or id`);
  return {
    [base]: {
      parameters: params,
      get: { summary: `List ${spec.segment}`, parameters: page, responses: { '200': json(list, 'One page') } },
      post: { summary: `Create in ${spec.segment}`, parameters: [IF_MATCH], requestBody: body, responses: { '201': json(entity, 'Created'), ...ERRORS } },
    },
    [`${base}/{key}`]: {
      parameters: [...params, key],
      get: { summary: `Read one of ${spec.segment}`, responses: { '200': json(entity, 'The entity'), '404': ERRORS['404'] } },
      patch: { summary: `Update fields (null unsets)`, parameters: [IF_MATCH], requestBody: body, responses: { '200': json(entity, 'Updated'), ...ERRORS } },
      put: { summary: `Create or replace`, parameters: [IF_MATCH], requestBody: body, responses: { '200': json(entity, 'Stored'), ...ERRORS } },
      delete: { summary: `Delete (plugins scoped to it go with it)`, parameters: [IF_MATCH], responses: { '204': { description: 'Deleted' }, ...ERRORS } },
    },
  };
}

export function buildOpenApi(registry: PluginRegistry): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  for (const spec of TOP_LEVEL) Object.assign(paths, collectionPaths(`/${spec.segment}`, spec, []));
  for (const { parent, child } of NESTED) {
    Object.assign(paths, collectionPaths(`/${parent.segment}/{parent}/${child.segment}`, child, [pathParam('parent', `${parent.segment} name or id`)]));
  }
  const document = { required: true, content: { 'application/json': { schema: ref('Config') } } };
  const version = pathParam('version', 'Config version number');
  Object.assign(paths, {
    '/config': {
      get: { summary: 'The whole declarative config being served', responses: { '200': json(ref('Config'), 'Declarative document') } },
      post: { summary: 'Replace the whole config (one new version)', parameters: [IF_MATCH], requestBody: document, responses: { '201': json({ type: 'object' }, 'New version'), ...ERRORS } },
    },
    '/config/versions': { get: { summary: 'Stored config versions, newest first', responses: { '200': json({ type: 'object' }, 'Versions') } } },
    '/config/versions/{version}': { get: { summary: 'One stored version', parameters: [version], responses: { '200': json(ref('Config'), 'Declarative document'), '404': ERRORS['404'] } } },
    '/config/rollback/{version}': { post: { summary: 'Make a stored version current again (as a new version)', parameters: [version, IF_MATCH], responses: { '201': json({ type: 'object' }, 'New version'), ...ERRORS } } },
    '/config/diff': {
      post: { summary: 'What replacing the config with this document would change', requestBody: document, responses: { '200': json(ref('Diff'), 'Changes'), '400': ERRORS['400'] } },
      get: {
        summary: 'Changes between two stored versions',
        parameters: [
          { name: 'from', in: 'query', required: true, schema: { type: 'integer' } },
          { name: 'to', in: 'query', schema: { type: 'integer' }, description: 'Default: the current version.' },
        ],
        responses: { '200': json(ref('Diff'), 'Changes'), '404': ERRORS['404'] },
      },
    },
    '/schemas/plugins/{name}': { get: { summary: "A plugin's config schema (JSON Schema)", parameters: [pathParam('name', 'Plugin name')], responses: { '200': json({ type: 'object' }, 'Schema'), '404': ERRORS['404'] } } },
    '/upstreams/{parent}/health': {
      get: {
        summary: "Each target's health in Kong's shape (HEALTHY, UNHEALTHY, HEALTHCHECKS_OFF) and its circuit; ?balancer_health=1 for the upstream as a whole",
        parameters: [pathParam('parent', 'upstreams name or id'), { name: 'balancer_health', in: 'query', schema: { type: 'string' } }],
        responses: { '200': json({ type: 'object' }, 'Health'), '404': ERRORS['404'] },
      },
    },
    ...Object.fromEntries(
      (['healthy', 'unhealthy'] as const).map((state) => [
        `/upstreams/{parent}/targets/{key}/${state}`,
        {
          put: {
            summary: `Set the target ${state} on every instance (no config version is made)`,
            parameters: [pathParam('parent', 'upstreams name or id'), pathParam('key', 'target (host:port) or id')],
            responses: { '204': { description: 'Set' }, '404': ERRORS['404'] },
          },
        },
      ]),
    ),
    '/': { get: { summary: "Node information (Kong's): hostname, pid and the proxy listeners as bound, configuration.proxy_listeners", responses: { '200': json({ type: 'object' }, 'Node') } } },
    '/status': { get: { summary: 'Liveness, config version, Redis state, how health is checked, upstream target health', responses: { '200': json({ type: 'object' }, 'Status') } } },
    '/status/ready': { get: { summary: '200 once a config is loaded, 503 before it and while draining', responses: { '200': { description: 'Ready' }, '503': { description: 'Not ready' } } } },
    '/drain': {
      post: {
        summary: 'Drain this instance as SIGTERM would (what `gatehouse stop` calls): readiness 503, the drain delay, in-flight requests finished, exit',
        parameters: [{ name: 'wait', in: 'query', required: false, description: 'true: answer in JSON lines, the second once drained; the process exits after the caller hangs up', schema: { type: 'string', enum: ['true'] } }],
        responses: { '202': json({ type: 'object' }, 'Draining: drain_delay_ms and drain_timeout_ms say how long it may take; with wait=true, a second line {drained, drain_ms} once done') },
      },
    },
  });
  for (const { plugin, route } of pluginAdminRoutes(registry)) {
    const params = [...route.path.matchAll(/:(\w+)/g)].map(([, name]) => pathParam(name!, `see the ${plugin} plugin`));
    const path = route.path.replace(/:(\w+)/g, '{$1}');
    const operation = { summary: `${route.summary} (${plugin} plugin)`, parameters: params, responses: { '200': json({ type: 'object' }, 'Done'), '404': ERRORS['404'] } };
    paths[path] = { ...(paths[path] as object | undefined), [route.method.toLowerCase()]: operation };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Gatehouse admin API', version: '1', description: 'Kong-compatible subset. Every response carries X-Config-Version.' },
    components: { schemas: components(registry), securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    security: [{ bearer: [] }],
    paths,
  };
}

export function registerSchemaRoutes(app: FastifyInstance, registry: PluginRegistry): void {
  // Built on the first request: rendering every schema at start cost start time and memory that a
  // sidecar, which is rarely asked for it, pays in every pod.
  let openapi: Record<string, unknown> | null = null;
  app.get('/openapi.json', async () => (openapi ??= buildOpenApi(registry)));
  app.get('/schemas/plugins/:name', async (request) => {
    const entry = registry.get((request.params as { name: string }).name);
    if (!entry) throw new AdminError(404, `no plugin named "${(request.params as { name: string }).name}"`);
    // Loaded for its version only; a plugin no config uses is otherwise never imported.
    const definition = await entry.load();
    return { name: definition.name, priority: definition.priority, version: definition.version, schema: jsonSchema(definition.configSchema) };
  });
}
