/**
 * Zod schemas for Kong's declarative format (v3, also 1.1/2.1) for the entities Gatehouse shares with
 * Kong, with Kong's field names and defaults; plugin `config` is checked by each plugin's own schema.
 */
import { z } from 'zod';
import type { PluginRegistry } from '../pipeline/registry.js';
import {
  hostnameField,
  idField,
  nameField,
  portField,
  referenceField,
  routeHostField,
  routePathField,
  servicePathField,
  tagsField,
  timeoutField,
} from './fields.js';
import { aclSchema, basicauthCredentialSchema, jwtSecretSchema, keyauthCredentialSchema } from './credential-schemas.js';
import { issueParts, PARSE_OPTIONS } from './issues.js';
import { caCertificateSchema, certificateSchema, sniSchema } from './tls-schema.js';
import { upstreamSchema } from './upstream-schema.js';

export const FORMAT_VERSIONS = ['3.0', '2.1', '1.1'] as const;

export const DEFAULT_SERVICE_PROTOCOL = 'http';
export const DEFAULT_PORT_BY_PROTOCOL = { http: 80, https: 443, grpc: 80, grpcs: 443 } as const;
/** Service protocols whose upstream always speaks HTTP/2 (Kong's gRPC services). */
export const GRPC_SERVICE_PROTOCOLS: ReadonlySet<string> = new Set(['grpc', 'grpcs']);
/** Kong defaults a service's port to 80 whatever the protocol; only `url` picks 443 for https. */
export const DEFAULT_SERVICE_PORT = 80;
export const DEFAULT_TIMEOUT_MS = 60_000;
export const DEFAULT_RETRIES = 5;
export const MAX_RETRIES = 32_767;

export const ROUTE_PROTOCOLS = ['http', 'https', 'grpc', 'grpcs', 'ws', 'wss'] as const;
/** Kong: a route's protocols come from one of these families. */
const ROUTE_PROTOCOL_FAMILIES: readonly (readonly string[])[] = [['http', 'https'], ['grpc', 'grpcs'], ['ws', 'wss']];
export const DEFAULT_ROUTE_PROTOCOLS: (typeof ROUTE_PROTOCOLS)[number][] = ['http', 'https'];
export const DEFAULT_REGEX_PRIORITY = 0;
export const DEFAULT_STRIP_PATH = true;
export const DEFAULT_PRESERVE_HOST = false;
export const DEFAULT_PATH_HANDLING = 'v0';
export const HTTPS_REDIRECT_STATUS_CODES = [426, 301, 302, 307, 308] as const;
export const DEFAULT_HTTPS_REDIRECT_STATUS_CODE = 426;
export const DEFAULT_BUFFERING = true;

export const PLUGIN_PROTOCOLS = ['grpc', 'grpcs', 'http', 'https', 'tcp', 'tls', 'tls_passthrough', 'udp', 'ws', 'wss'] as const;
export const DEFAULT_PLUGIN_PROTOCOLS: (typeof PLUGIN_PROTOCOLS)[number][] = ['grpc', 'grpcs', 'http', 'https'];

// ---------------------------------------------------------------- services

const serviceProtocolField = z.enum(['http', 'https', 'grpc', 'grpcs']);

/** `url` is shorthand for protocol, host, port and path, expanded as Kong does. */
const serviceUrlField = z.string().transform((value, ctx) => {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'invalid url' });
    return z.NEVER;
  }
  const protocol = url.protocol.slice(0, -1);
  if (protocol !== 'http' && protocol !== 'https' && protocol !== 'grpc' && protocol !== 'grpcs') {
    ctx.addIssue({ code: 'custom', message: 'invalid url: protocol must be http, https, grpc or grpcs' });
    return z.NEVER;
  }
  if (url.search !== '' || url.hash !== '' || url.username !== '') {
    ctx.addIssue({ code: 'custom', message: 'invalid url: credentials, query and fragment are not supported' });
    return z.NEVER;
  }
  // The path as written (URL would normalize "." segments and re-encode), or none when there is no "/".
  const path = /^[a-z]+:\/\/[^/]*(\/.*)?$/i.exec(value)?.[1];
  return {
    protocol,
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port === '' ? DEFAULT_PORT_BY_PROTOCOL[protocol] : Number(url.port),
    ...(path === undefined ? {} : { path }),
  } as const;
});

const serviceFields = {
  id: idField,
  name: nameField.optional().describe('Unique service name.'),
  url: serviceUrlField.optional().describe('Shorthand for protocol, host, port and path, e.g. http://orders.internal:8080/v1.'),
  protocol: serviceProtocolField.optional().describe('Protocol used to reach the upstream (default http); grpc and grpcs always speak HTTP/2.'),
  http_version: z
    .enum(['1.1', '2'])
    .optional()
    .describe('HTTP version spoken to the upstream (default 1.1; always 2 for grpc/grpcs): 2 is h2 over TLS (ALPN) for https, h2c with prior knowledge for http. A Gatehouse addition: Kong OSS has no HTTP/2 to upstreams.'),
  host: hostnameField.optional().describe('Upstream host: a hostname, an IP, or the name of an upstream entity.'),
  port: portField.optional().describe('Upstream port (default 80).'),
  path: servicePathField.optional().describe('Path prefix prepended to the proxied request path.'),
  connect_timeout: timeoutField.default(DEFAULT_TIMEOUT_MS).describe('Milliseconds to establish the upstream connection.'),
  read_timeout: timeoutField.default(DEFAULT_TIMEOUT_MS).describe('Milliseconds between two reads from the upstream.'),
  write_timeout: timeoutField.default(DEFAULT_TIMEOUT_MS).describe('Milliseconds between two writes to the upstream.'),
  retries: z.int().min(0).max(MAX_RETRIES).default(DEFAULT_RETRIES).describe('Retries on upstream connection failure (idempotent methods only).'),
  enabled: z.boolean().default(true).describe('Whether routes of this service are served.'),
  tls_verify: z.boolean().optional().describe("Verify the upstream's TLS certificate (https services; on by default)."),
  tls_verify_depth: z.int().min(0).max(64).optional().describe('Most intermediate CA certificates allowed in the upstream chain when verifying.'),
  ca_certificates: z
    .array(z.guid('must be a UUID'))
    .optional()
    .describe('Ids of ca_certificates entities: when set, the only CAs trusted to verify the upstream (instead of the system CAs).'),
  client_certificate: z
    .union([z.guid(), z.strictObject({ id: z.guid() })], { error: 'must be a certificate id or {id: ...}' })
    .transform((ref) => (typeof ref === 'string' ? { id: ref } : ref))
    .optional()
    .describe('Id of the certificate presented to the upstream for mutual TLS.'),
  tags: tagsField,
};

/** Kong: fields of the upstream TLS connection, refused on a service that does not use TLS. */
const TLS_ONLY_SERVICE_FIELDS = ['tls_verify', 'tls_verify_depth', 'ca_certificates', 'client_certificate'] as const;
const TLS_SERVICE_PROTOCOLS: ReadonlySet<string> = new Set(['https', 'grpcs', 'wss']);

/** Reports each upstream-TLS field set on a service whose protocol has no TLS; true when there was one. */
function refusesTlsFields(protocol: string, service: Partial<Record<(typeof TLS_ONLY_SERVICE_FIELDS)[number], unknown>>, ctx: z.RefinementCtx): boolean {
  if (TLS_SERVICE_PROTOCOLS.has(protocol)) return false;
  const set = TLS_ONLY_SERVICE_FIELDS.filter((field) => service[field] !== undefined);
  for (const field of set) ctx.addIssue({ code: 'custom', path: [field], message: `only for a TLS protocol (https), not ${protocol}` });
  return set.length > 0;
}

/** gRPC needs HTTP/2: `http_version: "1.1"` on a grpc/grpcs service is refused. */
function refusesHttp1ForGrpc(protocol: string, httpVersion: string | undefined, ctx: z.RefinementCtx): boolean {
  if (httpVersion !== '1.1' || !GRPC_SERVICE_PROTOCOLS.has(protocol)) return false;
  ctx.addIssue({ code: 'custom', path: ['http_version'], message: `${protocol} services always use HTTP/2` });
  return true;
}

// ---------------------------------------------------------------- routes

const sourceOrDestination = z
  .strictObject({
    ip: z.string().optional().describe('IP address or CIDR.'),
    port: portField.optional().describe('Port.'),
  })
  .describe('An IP and/or port a stream route matches.');

const routeFields = {
  id: idField,
  name: nameField.optional().describe('Unique route name.'),
  service: referenceField.describe('The service this route forwards to (name or id).'),
  protocols: z
    .array(z.enum(ROUTE_PROTOCOLS))
    .min(1)
    .default(DEFAULT_ROUTE_PROTOCOLS)
    .superRefine((protocols, ctx) => {
      const families = ROUTE_PROTOCOL_FAMILIES.filter((family) => protocols.some((protocol) => family.includes(protocol)));
      if (families.length > 1) ctx.addIssue({ code: 'custom', message: `these sets are mutually exclusive: ${families.map((f) => f.join(', ')).join(' / ')}` });
    })
    .describe('Protocols this route accepts; a plain request to a route that takes only https is answered with https_redirect_status_code.'),
  methods: z.array(z.string().regex(/^[A-Z]+$/, 'invalid value: must be an upper-case HTTP method')).optional().describe('HTTP methods matched.'),
  hosts: z.array(routeHostField).optional().describe('Host header values matched; a leading or trailing "*" label is a wildcard.'),
  paths: z.array(routePathField).optional().describe('Path prefixes matched, or regexes marked with a leading "~".'),
  headers: z
    .record(z.string(), z.array(z.string()).min(1))
    .superRefine((headers, ctx) => {
      for (const name of Object.keys(headers)) {
        if (name.toLowerCase() === 'host') {
          ctx.addIssue({ code: 'custom', path: [name], message: "cannot contain 'host' header, which must be specified in the 'hosts' attribute" });
        }
      }
    })
    .optional()
    .describe('Header name → values; a request matches when it has one of the values for every header.'),
  regex_priority: z.int().default(DEFAULT_REGEX_PRIORITY).describe('Order among regex routes: higher is tried first.'),
  strip_path: z.boolean().default(DEFAULT_STRIP_PATH).describe('Remove the matched path prefix before proxying.'),
  preserve_host: z.boolean().default(DEFAULT_PRESERVE_HOST).describe("Send the client's Host header upstream instead of the service host."),
  path_handling: z.enum(['v0', 'v1']).default(DEFAULT_PATH_HANDLING).describe("How the service path and the request path are joined (Kong's v0/v1)."),
  https_redirect_status_code: z
    .union(HTTPS_REDIRECT_STATUS_CODES.map((code) => z.literal(code)))
    .default(DEFAULT_HTTPS_REDIRECT_STATUS_CODE)
    .describe('Answer to a plain http request on a route without http in protocols: 426, or a redirect to https (301, 302, 307, 308).'),
  request_buffering: z.boolean().default(DEFAULT_BUFFERING).describe("Kong's request buffering flag; Gatehouse always streams."),
  response_buffering: z.boolean().default(DEFAULT_BUFFERING).describe("Kong's response buffering flag; Gatehouse always streams."),
  snis: z.array(hostnameField).optional().describe('TLS server names matched.'),
  sources: z.array(sourceOrDestination).optional().describe('Client addresses matched (stream routes).'),
  destinations: z.array(sourceOrDestination).optional().describe('Local addresses matched (stream routes).'),
  tags: tagsField,
};

type RouteMatchFields = { methods?: unknown[]; hosts?: unknown[]; paths?: unknown[]; headers?: Record<string, unknown> };

/** Kong refuses a route that matches on nothing. */
function requireMatchCondition(route: RouteMatchFields, ctx: z.RefinementCtx): void {
  const set = (list: unknown[] | undefined) => list !== undefined && list.length > 0;
  if (set(route.methods) || set(route.hosts) || set(route.paths) || Object.keys(route.headers ?? {}).length > 0) return;
  ctx.addIssue({ code: 'custom', message: "must set one of 'methods', 'hosts', 'headers', 'paths'" });
}

// ---------------------------------------------------------------- plugins

const pluginFields = {
  id: idField,
  name: z.string().min(1).describe('Plugin name, e.g. rate-limiting.'),
  config: z.record(z.string(), z.unknown()).nullish().describe("The plugin's own settings, checked by its schema."),
  enabled: z.boolean().default(true).describe('Whether the plugin runs.'),
  protocols: z.array(z.enum(PLUGIN_PROTOCOLS)).min(1).default(DEFAULT_PLUGIN_PROTOCOLS).describe('Request protocols the plugin runs on.'),
  instance_name: nameField.optional().describe('Unique name of this plugin instance.'),
  ordering: z
    .partialRecord(z.enum(['before', 'after']), z.record(z.string(), z.array(z.string())))
    .optional()
    .describe("Kong's dynamic ordering (accepted; Gatehouse runs plugins by priority)."),
  service: referenceField.describe('Service the plugin applies to (name or id).'),
  route: referenceField.describe('Route the plugin applies to (name or id).'),
  consumer: referenceField.describe('Consumer the plugin applies to (username or id).'),
  tags: tagsField,
};

/** Replaces a plugin's raw `config` by its own schema's output, reporting each issue under `config.`. */
function withPluginConfig(registry: PluginRegistry) {
  return <P extends { name: string; config?: Record<string, unknown> | null }>(plugin: P, ctx: z.RefinementCtx) => {
    const definition = registry.get(plugin.name);
    if (!definition) {
      ctx.addIssue({ code: 'custom', path: ['name'], message: `unknown plugin "${plugin.name}"` });
      return z.NEVER;
    }
    const parsed = definition.configSchema.safeParse(plugin.config ?? {}, PARSE_OPTIONS);
    if (!parsed.success) {
      for (const { path, message } of parsed.error.issues.flatMap(issueParts)) {
        ctx.addIssue({ code: 'custom', path: ['config', ...path], message });
      }
      return z.NEVER;
    }
    return { ...plugin, config: parsed.data as Record<string, unknown> };
  };
}

// ---------------------------------------------------------------- the document

/** Builds the whole-document schema; plugin configs are checked against `registry`. */
function buildConfigSchema(registry: PluginRegistry) {
  const parsePluginConfig = withPluginConfig(registry);
  const plugin = z.strictObject(pluginFields);
  const pluginsField = <S extends z.ZodType>(schema: S) => z.array(schema).default([]).describe('Plugins applied at this scope.');
  const pluginsUnderService = pluginsField(plugin.omit({ service: true }).transform(parsePluginConfig));
  const pluginsUnderRoute = pluginsField(plugin.omit({ route: true }).transform(parsePluginConfig));
  const pluginsUnderConsumer = pluginsField(plugin.omit({ consumer: true }).transform(parsePluginConfig));

  const routeObject = z.strictObject({ ...routeFields, plugins: pluginsUnderRoute });
  const route = routeObject.superRefine(requireMatchCondition);
  const nestedRoute = routeObject.omit({ service: true }).superRefine(requireMatchCondition);

  const service = z
    .strictObject({
      ...serviceFields,
      routes: z.array(nestedRoute).default([]).describe('Routes forwarding to this service.'),
      plugins: pluginsUnderService,
    })
    .transform(({ url, ...service }, ctx) => {
      if (refusesHttp1ForGrpc(url?.protocol ?? service.protocol ?? DEFAULT_SERVICE_PROTOCOL, service.http_version, ctx)) return z.NEVER;
      if (url) {
        if (refusesTlsFields(url.protocol, service, ctx)) return z.NEVER;
        const clash = (['protocol', 'host', 'port', 'path'] as const).filter((field) => service[field] !== undefined);
        if (clash.length > 0) {
          ctx.addIssue({ code: 'custom', path: ['url'], message: `cannot be combined with ${clash.join(', ')}` });
          return z.NEVER;
        }
        return { ...service, ...url };
      }
      if (refusesTlsFields(service.protocol ?? DEFAULT_SERVICE_PROTOCOL, service, ctx)) return z.NEVER;
      if (service.host === undefined) {
        ctx.addIssue({ code: 'custom', path: ['host'], message: 'required field missing (or set url)' });
        return z.NEVER;
      }
      return { ...service, protocol: service.protocol ?? DEFAULT_SERVICE_PROTOCOL, host: service.host, port: service.port ?? DEFAULT_SERVICE_PORT };
    });

  const consumer = z
    .strictObject({
      id: idField,
      username: z.string().min(1).optional().describe('Unique consumer name.'),
      custom_id: z.string().min(1).optional().describe('Unique id of the consumer in another system.'),
      keyauth_credentials: z.array(keyauthCredentialSchema).default([]).describe('key-auth API keys.'),
      jwt_secrets: z.array(jwtSecretSchema).default([]).describe('jwt plugin credentials.'),
      basicauth_credentials: z.array(basicauthCredentialSchema).default([]).describe('basic-auth credentials.'),
      acls: z.array(aclSchema).default([]).describe('ACL groups.'),
      plugins: pluginsUnderConsumer,
      tags: tagsField,
    })
    .superRefine((entity, ctx) => {
      if (entity.username === undefined && entity.custom_id === undefined) {
        ctx.addIssue({ code: 'custom', message: "at least one of these fields must be non-empty: 'custom_id', 'username'" });
      }
    });

  return z.strictObject({
    _format_version: z.enum(FORMAT_VERSIONS).describe('Declarative format version ("3.0"; "1.1" and "2.1" accepted).'),
    _transform: z.boolean().optional().describe("Kong's flag for hashing credentials on load; accepted."),
    _comment: z.string().optional().describe('Free text.'),
    _workspace: z.string().optional().describe('Kong workspace name; accepted and ignored.'),
    _info: z.record(z.string(), z.unknown()).optional().describe("decK's metadata (select_tags, defaults); accepted and ignored."),
    services: z.array(service).default([]).describe('Upstream APIs and their routes.'),
    routes: z.array(route).default([]).describe('Routes declared outside a service, pointing at one by name or id.'),
    upstreams: z.array(upstreamSchema).default([]).describe('Load-balanced groups of targets.'),
    consumers: z.array(consumer).default([]).describe('API clients and their credentials.'),
    plugins: pluginsField(plugin.transform(parsePluginConfig)),
    certificates: z.array(certificateSchema).default([]).describe('TLS certificates served by the HTTPS listener, chosen by SNI.'),
    snis: z.array(sniSchema).default([]).describe('Server names and the certificate served for each.'),
    ca_certificates: z.array(caCertificateSchema).default([]).describe('CA certificates that services trust to verify their upstreams.'),
  });
}

export type ConfigSchema = ReturnType<typeof buildConfigSchema>;
/** The parsed declarative document: defaults filled, plugin configs parsed, references not yet resolved. */
export type DeclarativeConfig = z.output<ConfigSchema>;

const schemas = new WeakMap<PluginRegistry, WeakRef<ConfigSchema>>();

/**
 * The declarative document schema for a plugin registry. Held weakly: kept while configs keep being
 * validated, dropped by the GC of a gateway that has gone idle (with the parsers zod compiled for it),
 * and built again by the next validation.
 */
export function configSchema(registry: PluginRegistry): ConfigSchema {
  let schema = schemas.get(registry)?.deref();
  if (!schema) {
    schema = buildConfigSchema(registry);
    schemas.set(registry, new WeakRef(schema));
  }
  return schema;
}
