/**
 * The proxied API as an OpenAPI 3.1 document (`gatehouse export --format openapi`): servers from the
 * proxy listeners and route hosts, a path item per route path (templates from regex named groups),
 * operations per method with their parameters, security and responses from the plugins in effect,
 * and the `x-gatehouse-*` extensions that carry the rest of the config (README.md lists them).
 */
import { createHash } from 'node:crypto';
import { pathTemplate } from '../config/path-template.js';
import type { GatewayConfig, PluginEntity, RouteEntity } from '../config/types.js';
import { COMMON_COMPONENTS, operationResponses, preflightResponses } from './responses.js';
import { routeSecurity, type SecurityScheme } from './security.js';

/** Methods a route without a method condition is documented with. */
const ALL_METHODS = ['get', 'post', 'put', 'patch', 'delete'];
const BODY_METHODS = new Set(['post', 'put', 'patch']);
/** Methods OpenAPI has operations for; others a route may list (e.g. CONNECT) are left to the extension. */
const OPENAPI_METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);
const ANY_BODY = { required: false, content: { 'application/json': { schema: {} }, '*/*': { schema: {} } } };

/** What export reads from the running gateway: its config and where its proxy listens. */
export interface ExportSource {
  config: Pick<GatewayConfig, '_format_version' | 'services' | 'routes' | 'upstreams' | 'plugins'>;
  /** The proxy listeners as bound (the admin API's `GET /`). */
  listeners: ReadonlyArray<{ ip: string; port: number; ssl: boolean }>;
  /** The host the admin API was reached on: the address given to listeners bound to every interface. */
  reachedHost: string;
}

type Operation = Record<string, unknown>;

function hostPart(ip: string, reachedHost: string): string {
  const host = ip === '0.0.0.0' || ip === '::' || ip === '' ? reachedHost : ip;
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/** A route host on a listener as a server; a wildcard label becomes a variable. */
function hostServer(host: string, scheme: string, port: number): Record<string, unknown> {
  const [name, hostPort] = host.split(/:(?=\d+$)/);
  const url = `${scheme}://${name}:${hostPort ?? port}`;
  if (name!.startsWith('*.')) return { url: url.replace('*', '{subdomain}'), variables: { subdomain: { default: 'www' } } };
  if (name!.endsWith('.*')) return { url: url.replace('*', '{tld}'), variables: { tld: { default: 'com' } } };
  return { url };
}

/** The plugin of each name in effect on a route: route-scoped over service-scoped over global (no consumer). */
function pluginsInEffect(plugins: readonly PluginEntity[], route: RouteEntity): Map<string, PluginEntity> {
  const rank = (plugin: PluginEntity): number => {
    if (!plugin.enabled || plugin.consumer) return -1;
    if (plugin.route) return plugin.route.id === route.id && (!plugin.service || plugin.service.id === route.service?.id) ? 2 : -1;
    if (plugin.service) return plugin.service.id === route.service?.id ? 1 : -1;
    return 0;
  };
  const chosen = new Map<string, [number, PluginEntity]>();
  for (const plugin of plugins) {
    const level = rank(plugin);
    if (level >= 0 && level >= (chosen.get(plugin.name)?.[0] ?? -1)) chosen.set(plugin.name, [level, plugin]);
  }
  return new Map([...chosen].map(([name, [, plugin]]) => [name, plugin]));
}

/**
 * An entity with its members in sorted order, at every depth: the config's key order is that of the
 * file it came from (an imported file writes `protocol`/`host`/`port` where the original had `url`),
 * and the same config must export as the same text.
 */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.keys(value).sort().map((key) => [key, canonical((value as Record<string, unknown>)[key])]));
}

export function proxiedApiDocument(source: ExportSource): Record<string, unknown> {
  const { config } = source;
  const serviceById = new Map(config.services.map((service) => [service.id, service]));
  const listeners = source.listeners.map((listener) => ({ scheme: listener.ssl ? 'https' : 'http', port: listener.port, host: hostPart(listener.ip, source.reachedHost) }));
  const paths: Record<string, Record<string, Operation>> = {};
  const schemes: Record<string, SecurityScheme> = {};
  const operationIds = new Set<string>();

  for (const route of config.routes) {
    const service = route.service ? serviceById.get(route.service.id) : undefined;
    // Routes a client cannot reach over HTTP (a disabled service; gRPC or WebSocket only) are no operations.
    if ((service && !service.enabled) || !route.protocols.some((protocol) => protocol === 'http' || protocol === 'https')) continue;
    const plugins = pluginsInEffect(config.plugins, route);
    const security = routeSecurity([...plugins.values()]);
    for (const [name, scheme] of security.schemes) schemes[name] = scheme;
    const allowed = listeners.filter((listener) => route.protocols.includes(listener.scheme));
    const servers = route.hosts?.length ? route.hosts.flatMap((host) => allowed.map((listener) => hostServer(host, listener.scheme, listener.port))) : undefined;
    const headerParameters = Object.entries(route.headers ?? {}).map(([name, values]) => ({ name, in: 'header', required: true, schema: { type: 'string', enum: values } }));
    const methods = route.methods?.map((method) => method.toLowerCase()).filter((method) => OPENAPI_METHODS.has(method)) ?? ALL_METHODS;
    const label = route.name ?? route.id;
    const tags = service ? [service.name ?? service.id] : undefined;
    const responses = operationResponses(plugins, security.requirements.some((requirement) => Object.keys(requirement).length > 0));
    for (const [index, path] of (route.paths ?? []).entries()) {
      const template = pathTemplate(path);
      if (template === null) continue;
      const item = (paths[template.template] ??= {});
      const parameters = [...template.parameters.map((parameter) => ({ name: parameter.name, in: 'path', required: true, schema: { type: 'string', pattern: `^${parameter.pattern}$` } })), ...headerParameters];
      for (const method of methods) {
        if (item[method]) continue;
        let operationId = `${label}.${method}${index > 0 ? `.${index}` : ''}`;
        while (operationIds.has(operationId)) operationId += '_';
        operationIds.add(operationId);
        item[method] = {
          operationId,
          summary: `${method.toUpperCase()} ${path} (route ${label})`,
          ...(template.exact || template.parameters.length > 0 ? {} : { description: `Also matches every path under ${template.template}.` }),
          ...(tags ? { tags } : {}),
          ...(servers ? { servers } : {}),
          ...(parameters.length ? { parameters } : {}),
          ...(BODY_METHODS.has(method) ? { requestBody: ANY_BODY } : {}),
          ...(security.requirements.length ? { security: security.requirements } : {}),
          responses,
          'x-gatehouse-route': route.id,
        };
      }
      const cors = plugins.get('cors');
      if (cors && !item.options && !methods.includes('options')) {
        item.options = {
          operationId: `${label}.preflight${index > 0 ? `.${index}` : ''}`,
          summary: `CORS preflight of ${template.template}`,
          ...(servers ? { servers } : {}),
          ...(template.parameters.length ? { parameters: parameters.filter((parameter) => parameter.in === 'path') } : {}),
          responses: preflightResponses(cors.config),
          'x-gatehouse-preflight': true,
        };
      }
    }
  }

  const extensions = {
    'x-gatehouse-format-version': config._format_version,
    'x-gatehouse-services': canonical(config.services),
    'x-gatehouse-upstreams': canonical(config.upstreams),
    'x-gatehouse-routes': canonical(config.routes),
    'x-gatehouse-plugins': canonical(config.plugins.filter((plugin) => !plugin.consumer)),
  };
  // The description's version is its content's digest, not the config version number: the same config
  // exported again (after an import made it a new version) is the same document.
  const digest = createHash('sha256').update(JSON.stringify(extensions)).digest('hex').slice(0, 12);
  return {
    openapi: '3.1.0',
    info: { title: 'Gatehouse proxied API', version: digest, description: 'The routes of a Gatehouse gateway (gatehouse export --format openapi).' },
    servers: listeners.map((listener) => ({ url: `${listener.scheme}://${listener.host}:${listener.port}` })),
    paths,
    components: { ...COMMON_COMPONENTS, securitySchemes: schemes },
    ...extensions,
  };
}
