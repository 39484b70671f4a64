/**
 * One API Gateway `x-amazon-apigateway-integration` as what the route does: `http`/`http_proxy` → a
 * service per backend origin (and timeout), the backend path and `requestParameters` as a
 * request-transformer; `aws_proxy` → the aws-lambda plugin (Kong's option names); `mock` →
 * request-termination, or for a CORS preflight mock the cors plugin. `${stageVariables.x}` is
 * replaced from `--stage-variables`.
 */
import type { ConfigBuilder, Plugin } from './config-builder.js';
import { corsFromResponseParameters } from './cors.js';
import { isObject, type Json } from './openapi-document.js';
import { uriTemplateOf, type RoutePath } from './path-template.js';
import { childPath, type ImportReport } from './report.js';

export interface IntegrationContext {
  builder: ConfigBuilder;
  report: ImportReport;
  stageVariables: Map<string, string>;
  /** The client-facing base path routes carry (`/prod`), which the backend path does not. */
  basePath: string;
}

/** What the route becomes: its service (null: the gateway answers itself), and plugins. */
export interface RouteTarget {
  service: number | null;
  plugins: Plugin[];
  /** Set when the preflight mock became cors: the config for every route of this path. */
  cors?: Record<string, unknown>;
}

/** Replaces `${stageVariables.x}`; null (reported) when one is not given. */
function withStageVariables(ctx: IntegrationContext, value: string, path: string): string | null {
  const missing: string[] = [];
  const result = value.replace(/\$\{stageVariables\.([A-Za-z0-9_]+)\}/g, (_whole, name: string) => {
    const found = ctx.stageVariables.get(name);
    if (found === undefined) missing.push(name);
    return found ?? '';
  });
  if (missing.length === 0) return result;
  ctx.report.unmapped(path, `stage variable${missing.length > 1 ? 's' : ''} ${missing.join(', ')} not given: pass --stage-variables ${missing.map((m) => `${m}=…`).join(',')}`);
  return null;
}

/** `method.request.path.id` → the request-transformer template reading it; null for what has none. */
function sourceTemplate(ctx: IntegrationContext, source: string, route: RoutePath, path: string): string | null {
  const literal = /^'(.*)'$/s.exec(source);
  if (literal) return literal[1]!;
  const stage = /^stageVariables\.(.+)$/.exec(source);
  if (stage) return withStageVariables(ctx, `\${stageVariables.${stage[1]}}`, path);
  const method = /^method\.request\.(path|querystring|multivaluequerystring|header|multivalueheader)\.(.+)$/.exec(source);
  if (!method) return null;
  const [, where, name] = method;
  if (where === 'path') {
    const group = route.groups.get(name!) ?? route.groups.get(`${name}+`);
    return group ? `$(uri_captures.${group})` : null;
  }
  if (where!.endsWith('querystring')) return `$(query_params['${name}'])`;
  return `$(headers['${name!.toLowerCase()}'])`;
}

/** requestParameters (query and header targets) as request-transformer edits; path targets are in the URI. */
function parameterEdits(ctx: IntegrationContext, parameters: Json, route: RoutePath, path: string): Record<string, string[]> {
  const edits: Record<string, string[]> = {};
  const push = (kind: string, entry: string) => (edits[kind] ??= []).push(entry);
  for (const [target, rawSource] of Object.entries(parameters)) {
    const at = childPath(path, target);
    const targetMatch = /^integration\.request\.(querystring|header|path)\.(.+)$/.exec(target);
    const source = String(rawSource);
    if (!targetMatch) {
      ctx.report.unmapped(at, 'unknown integration request parameter target');
      continue;
    }
    const [, kind, name] = targetMatch;
    if (kind === 'path') continue;
    const field = kind === 'header' ? 'headers' : 'querystring';
    const sameKind = new RegExp(`^method\\.request\\.(multivalue)?${kind}\\.(.+)$`).exec(source);
    if (sameKind) {
      const from = sameKind[2]!;
      if (from.toLowerCase() === name!.toLowerCase()) ctx.report.mapped(at, `${kind} ${name} passes through`);
      else {
        push(`rename.${field}`, `${from}:${name}`);
        ctx.report.mapped(at, `${kind} ${from} renamed to ${name}`);
      }
      continue;
    }
    const template = sourceTemplate(ctx, source, route, at);
    if (template === null) {
      ctx.report.unmapped(at, `source ${source} has no equivalent (context variables and mapping templates are not evaluated)`);
      continue;
    }
    push(`replace.${field}`, `${name}:${template}`);
    push(`add.${field}`, `${name}:${template}`);
    ctx.report.mapped(at, `${kind} ${name} set from ${source}`);
  }
  return edits;
}

/** `{ "add.headers": [...] }` → request-transformer's nested config. */
function transformerConfig(uri: string | null, edits: Record<string, string[]>): Record<string, unknown> | null {
  const config: Record<string, Record<string, unknown>> = {};
  for (const [key, entries] of Object.entries(edits)) {
    const [section, field] = key.split('.') as [string, string];
    (config[section] ??= {})[field] = entries;
  }
  if (uri !== null) (config.replace ??= {}).uri = uri;
  return Object.keys(config).length ? config : null;
}

function httpIntegration(ctx: IntegrationContext, integration: Json, template: string, method: string | null, route: RoutePath, path: string): RouteTarget | null {
  if (typeof integration.uri !== 'string') {
    ctx.report.unmapped(childPath(path, 'uri'), 'http integration without a uri');
    return null;
  }
  const raw = withStageVariables(ctx, integration.uri, childPath(path, 'uri'));
  if (raw === null) return null;
  const parsed = /^(https?):\/\/([^/?#]+)([^?#]*)(\?[^#]*)?$/i.exec(raw);
  if (!parsed) {
    ctx.report.unmapped(childPath(path, 'uri'), `${raw} is not an http(s) URL${integration.connectionType === 'VPC_LINK' ? ' (a VPC link to a load balancer ARN: point a service at the load balancer\'s address)' : ''}`);
    return null;
  }
  const [, scheme, authority, uriPath, query] = parsed;
  const origin = `${scheme!.toLowerCase()}://${authority!.toLowerCase()}`;
  const timeout = typeof integration.timeoutInMillis === 'number' ? integration.timeoutInMillis : undefined;
  const tls = isObject(integration.tlsConfig) && integration.tlsConfig.insecureSkipVerification === true;
  const service = ctx.builder.service(`${origin}|${timeout ?? ''}|${tls}`, () => ({
    name: ctx.builder.uniqueName(authority!.replace(/:\d+$/, '')),
    url: origin,
    ...(timeout !== undefined ? { read_timeout: timeout } : {}),
    ...(tls ? { tls_verify: false } : {}),
  }));
  if (integration.connectionType === 'VPC_LINK') ctx.report.partial(childPath(path, 'connectionType'), `VPC_LINK: the backend ${origin} is called directly; the gateway must be able to reach it`, `services[${service}]`);
  if (tls) ctx.report.mapped(childPath(path, 'tlsConfig'), 'insecureSkipVerification → tls_verify: false', `services[${service}]`);

  const parameters = isObject(integration.requestParameters) ? integration.requestParameters : {};
  // A backend path placeholder {x} is the integration path parameter x, mapped from a method parameter.
  const pathSources = new Map<string, string>();
  for (const [target, source] of Object.entries(parameters)) {
    const match = /^integration\.request\.path\.(.+)$/.exec(target);
    if (match) pathSources.set(match[1]!, String(source));
  }
  const backendPath = uriPath || '/';
  // Without a mapping, a placeholder reads the method path parameter of its name (HTTP APIs map them so).
  const { uri, missing } = uriTemplateOf(backendPath, (name) =>
    sourceTemplate(ctx, pathSources.get(name) ?? `method.request.path.${name}`, route, childPath(path, 'requestParameters', `integration.request.path.${name}`)),
  );
  if (missing.length) ctx.report.unmapped(childPath(path, 'uri'), `backend path parameters ${missing.join(', ')} have no source; they are left empty`);
  // The request path reaches the backend unchanged when the backend path is the resource path itself.
  // An HTTP API's $default route sends the whole request path to a backend URI without one.
  const identity =
    (template === '$default' && backendPath === '/') ||
    (backendPath === template && ![...route.groups.keys()].some((name) => pathSources.has(name) && pathSources.get(name) !== `method.request.path.${name}`));
  const edits = parameterEdits(ctx, parameters, route, childPath(path, 'requestParameters'));
  for (const pair of (query ?? '').slice(1).split('&').filter(Boolean)) (edits['add.querystring'] ??= []).push(pair.includes('=') ? pair.replace('=', ':') : `${pair}:`);
  const plugins: Plugin[] = [];
  let config = transformerConfig(identity && ctx.basePath === '' ? null : uri, edits);
  // The backend may be called with another method than the client's (httpMethod; ANY keeps the client's).
  const backendMethod = typeof integration.httpMethod === 'string' ? integration.httpMethod.toUpperCase() : 'ANY';
  if (backendMethod !== 'ANY' && backendMethod !== method) {
    config = { ...config, http_method: backendMethod };
    ctx.report.mapped(childPath(path, 'httpMethod'), `the backend is called with ${backendMethod}`);
  }
  if (config) plugins.push({ name: 'request-transformer', config });
  if (integration.requestTemplates) ctx.report.unmapped(childPath(path, 'requestTemplates'), 'mapping templates (VTL) are not evaluated: the request body goes to the backend unchanged');
  if (integration.type === 'http' && isObject(integration.responses)) {
    const templated = Object.values(integration.responses).some((response) => isObject(response) && isObject(response.responseTemplates) && Object.keys(response.responseTemplates).length > 0);
    if (templated) ctx.report.unmapped(childPath(path, 'responses'), 'response mapping templates are not evaluated: the backend answer is returned as is');
  }
  const message = `${String(integration.type)} → ${origin}${uri}${timeout !== undefined ? ` (read_timeout ${timeout} ms)` : ''}`;
  // A non-proxy integration passes only the parameters it maps; a proxied request carries them all.
  if (String(integration.type).toLowerCase() === 'http') ctx.report.partial(path, `${message}; every query argument and header of the request reaches the backend, not only the mapped ones`, `services[${service}]`);
  else ctx.report.mapped(path, message, `services[${service}]`);
  return { service, plugins };
}

/** `arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{function arn}/invocations`, or a function ARN. */
function lambdaFunction(uri: string): { region: string; name: string; qualifier?: string } | null {
  const arn = /(arn:aws[\w-]*:lambda:([a-z0-9-]+):\d+:function:([A-Za-z0-9_-]+)(?::([A-Za-z0-9$_-]+))?)/.exec(uri);
  if (!arn) return null;
  return { region: arn[2]!, name: arn[3]!, ...(arn[4] ? { qualifier: arn[4] } : {}) };
}

function lambdaIntegration(ctx: IntegrationContext, integration: Json, path: string): RouteTarget | null {
  const raw = typeof integration.uri === 'string' ? withStageVariables(ctx, integration.uri, childPath(path, 'uri')) : null;
  const fn = raw === null ? null : lambdaFunction(raw);
  if (!fn) {
    if (raw !== null) ctx.report.unmapped(childPath(path, 'uri'), 'aws_proxy integration whose uri names no Lambda function');
    return null;
  }
  // REST APIs send the 1.0 event; an HTTP API's export names the version of each integration.
  const version = integration.payloadFormatVersion === '2.0' ? '2.0' : '1.0';
  const timeout = typeof integration.timeoutInMillis === 'number' ? integration.timeoutInMillis : undefined;
  const config = {
    aws_region: fn.region,
    function_name: fn.name,
    ...(fn.qualifier ? { qualifier: fn.qualifier } : {}),
    ...(timeout !== undefined ? { timeout } : {}),
    is_proxy_integration: true,
    awsgateway_compatible: true,
    awsgateway_compatible_payload_version: version,
  };
  ctx.report.mapped(
    path,
    `Lambda proxy → aws-lambda (function ${fn.name}${fn.qualifier ? `:${fn.qualifier}` : ''} in ${fn.region}, payload ${version}); credentials come from the environment or container role, or set aws_key/aws_secret`,
  );
  if (integration.credentials) ctx.report.partial(childPath(path, 'credentials'), `the role ${String(integration.credentials)} API Gateway assumed is not assumed: give the gateway's own credentials lambda:InvokeFunction`);
  return { service: null, plugins: [{ name: 'aws-lambda', config }] };
}

/** `{"statusCode": 200}` in a mock's request template, or 200. */
function mockStatus(integration: Json): number {
  const templates = isObject(integration.requestTemplates) ? Object.values(integration.requestTemplates) : [];
  for (const template of templates) {
    const status = /"statusCode"\s*:\s*(\d{3})/.exec(String(template));
    if (status) return Number(status[1]);
  }
  return 200;
}

function mockIntegration(ctx: IntegrationContext, integration: Json, method: string | null, path: string): RouteTarget {
  const status = mockStatus(integration);
  const responses = isObject(integration.responses) ? integration.responses : {};
  const response = Object.entries(responses).find(([pattern]) => pattern === 'default' || pattern === String(status))?.[1];
  const parameters = isObject(response) && isObject(response.responseParameters) ? response.responseParameters : {};
  const cors = method === 'OPTIONS' ? corsFromResponseParameters(parameters) : null;
  if (cors) {
    ctx.report.mapped(path, 'CORS preflight mock → cors (on every route of this path); other OPTIONS requests are answered 200 by request-termination');
    return { service: null, cors, plugins: [{ name: 'request-termination', config: { status_code: 200, message: 'OK' } }] };
  }
  const templates = isObject(response) && isObject(response.responseTemplates) ? response.responseTemplates : {};
  const [contentType, body] = Object.entries(templates)[0] ?? [];
  const config: Record<string, unknown> = { status_code: status };
  if (typeof body === 'string' && body !== '' && !/[$#]/.test(body)) Object.assign(config, { body, content_type: contentType });
  else if (typeof body === 'string' && body !== '') ctx.report.partial(childPath(path, 'responses'), 'the mock\'s response template uses VTL; answered without a body');
  ctx.report.mapped(path, `mock → request-termination ${status}`);
  return { service: null, plugins: [{ name: 'request-termination', config }] };
}

/** The route target of `integration`, or null (reported) when the operation cannot be served. */
export function mapIntegration(ctx: IntegrationContext, integration: Json, template: string, method: string | null, route: RoutePath, path: string): RouteTarget | null {
  const type = String(integration.type ?? '').toLowerCase();
  switch (type) {
    case 'http':
    case 'http_proxy':
      return httpIntegration(ctx, integration, template, method, route, path);
    case 'aws_proxy':
      return lambdaIntegration(ctx, integration, path);
    case 'mock':
      return mockIntegration(ctx, integration, method, path);
    default:
      ctx.report.unmapped(path, `integration type "${type || '(none)'}" (AWS service integration) has no equivalent: the operation is not imported`);
      return null;
  }
}
