/**
 * `gatehouse import --from aws|openapi`: an OpenAPI document (Swagger 2.0, OpenAPI 3.0/3.1) as
 * Gatehouse's declarative config, one route per operation that keeps the path's shape. With `aws`,
 * each operation's `x-amazon-apigateway-integration` says where it goes and the document's servers or
 * basePath are the paths clients call; with `openapi`, the chosen server is the upstream. Security
 * becomes auth plugins either way.
 */
import { ConfigBuilder, type Route } from './config-builder.js';
import { mapIntegration, type IntegrationContext } from './aws-integration.js';
import { corsFromHttpApi } from './cors.js';
import { isObject, OpenApiDocument, type Json, type Operation } from './openapi-document.js';
import { routePathOf } from './path-template.js';
import { childPath, ImportReport, jsonPath } from './report.js';
import { applySecurity, attach, type SecurityContext } from './security.js';
import { mapUsagePlans, type RouteIndex } from './usage-plans.js';
import { configFromExport, isGatehouseExport } from './gatehouse-extensions.js';

export interface OpenApiImportOptions {
  from: 'aws' | 'openapi';
  file: string;
  /** Which of `servers` (OpenAPI 3): the upstream with `openapi`, the client-facing base path with `aws`. */
  server: number;
  stageVariables: Map<string, string>;
  usagePlans?: { file: string; document: unknown };
  discover(url: string): Promise<Json | null>;
}

/** AWS extensions at the document's top level and what becomes of them. */
const AWS_ROOT_NOTES: Record<string, string> = {
  'x-amazon-apigateway-binary-media-types': 'nothing to do: bodies stream byte for byte whatever their type',
  'x-amazon-apigateway-minimum-compression-size': 'not mapped: Gatehouse does not compress answers',
  'x-amazon-apigateway-policy': 'resource policy not mapped: restrict clients with ip-restriction or an auth plugin',
  'x-amazon-apigateway-gateway-responses': 'not mapped: the gateway\'s own errors are Gatehouse\'s JSON bodies',
  'x-amazon-apigateway-request-validators': 'not mapped: requests are not validated against the document',
  'x-amazon-apigateway-endpoint-configuration': 'nothing to do: the endpoint is wherever Gatehouse listens',
  'x-amazon-apigateway-documentation': 'nothing to do: documentation only',
  'x-amazon-apigateway-tag-value': 'nothing to do',
  'x-amazon-apigateway-importexport-version': 'nothing to do',
};
const AWS_HANDLED_ROOT = new Set(['x-amazon-apigateway-cors', 'x-amazon-apigateway-api-key-source', 'x-amazon-apigateway-integrations']);

function routeName(builder: ConfigBuilder, op: Operation): string {
  const id = typeof op.operation.operationId === 'string' ? op.operation.operationId : `${op.method ?? 'any'}-${op.template === '/' ? 'root' : op.template}`;
  return builder.uniqueName(id);
}

export async function importOpenApi(root: Json, options: OpenApiImportOptions): Promise<{ document: Record<string, unknown>; report: ImportReport }> {
  const doc = new OpenApiDocument(root);
  const report = new ImportReport(options.from, options.file);
  const aws = options.from === 'aws';
  if (!aws && isGatehouseExport(root)) return { document: configFromExport(doc, report), report };
  const builder = new ConfigBuilder([`imported-from-${options.from}`]);
  const server = doc.server(options.server);
  if (server === null) throw new Error(`--server ${options.server}: the document has no such server`);
  const basePath = server.basePath;
  if (basePath) report.mapped(server.path, `base path ${basePath} prefixes every route`);
  const security: SecurityContext = { document: doc, report, aws, discover: options.discover };
  const integrationCtx: IntegrationContext = { builder, report, stageVariables: options.stageVariables, basePath };

  let upstream: number | null = null;
  if (!aws) {
    if (server.origin === null) report.unmapped(server.path, 'no absolute server URL: the service points at http://upstream.invalid; set its url');
    upstream = builder.service('server', () => ({ name: builder.uniqueName(doc.title), url: server.origin ?? 'http://upstream.invalid' }));
    report.mapped(server.path, `server ${server.origin ?? '(none)'} → service`, `services[${upstream}]`);
  }

  // HTTP APIs: one cors configuration for the whole API, so every route also takes OPTIONS.
  const apiCors = aws && isObject(root['x-amazon-apigateway-cors']) ? corsFromHttpApi(root['x-amazon-apigateway-cors']) : null;
  if (apiCors) report.mapped(jsonPath('x-amazon-apigateway-cors'), 'cors for every route', builder.addPlugin({ name: 'cors', config: apiCors }));

  const routesByTemplate = new Map<string, { route: Route; path: string }[]>();
  const corsByTemplate = new Map<string, Record<string, unknown>>();
  const routeIndex: RouteIndex = new Map();
  for (const op of doc.operations()) {
    const isDefault = op.template === '$default';
    const routePath = isDefault ? { path: `${basePath}/`, groups: new Map<string, string>() } : routePathOf(basePath, op.template);
    const route: Route = {
      name: routeName(builder, op),
      paths: [routePath.path],
      ...(op.method ? { methods: apiCors && op.method !== 'OPTIONS' ? [op.method, 'OPTIONS'] : [op.method] } : {}),
      strip_path: false,
      plugins: [],
    };
    let service = upstream;
    const pluginsBefore: Route['plugins'] = [];
    if (aws) {
      const raw = op.operation['x-amazon-apigateway-integration'];
      const integration = doc.resolve(raw);
      if (!isObject(integration)) {
        report.unmapped(op.path, 'no x-amazon-apigateway-integration: the operation is not imported');
        continue;
      }
      const target = mapIntegration(integrationCtx, integration, op.template, op.method, routePath, childPath(op.path, 'x-amazon-apigateway-integration'));
      if (target === null) continue;
      service = target.service;
      pluginsBefore.push(...target.plugins);
      if (target.cors) corsByTemplate.set(op.template, target.cors);
      for (const key of ['x-amazon-apigateway-request-validator', 'x-amazon-apigateway-auth']) {
        if (key in op.operation) report.unmapped(childPath(op.path, key), key === 'x-amazon-apigateway-auth' ? 'IAM auth type not mapped' : 'requests are not validated against the document');
      }
    }
    const to = builder.addRoute(service, route);
    report.mapped(op.path, `${op.method ?? 'any method'} ${op.template} → route ${route.name} (${route.paths.join(', ')})`, to);
    // Auth first, so the plugins read in the order they run.
    if (!(aws && op.method === 'OPTIONS' && corsByTemplate.has(op.template))) await applySecurity(security, op, route, to);
    for (const plugin of pluginsBefore) attach(route, to, plugin);
    (routesByTemplate.get(op.template) ?? routesByTemplate.set(op.template, []).get(op.template)!).push({ route, path: to });
    routeIndex.set(`${op.template}/${op.method ?? '*'}`, route.name);
  }

  for (const [template, cors] of corsByTemplate) {
    for (const { route, path } of routesByTemplate.get(template) ?? []) attach(route, path, { name: 'cors', config: cors });
  }

  if (aws) {
    for (const key of Object.keys(root)) {
      if (!key.startsWith('x-amazon-apigateway-') || AWS_HANDLED_ROOT.has(key)) continue;
      const note = AWS_ROOT_NOTES[key] ?? 'not mapped';
      (note.startsWith('nothing to do') ? report.mapped.bind(report) : report.unmapped.bind(report))(jsonPath(key), note);
    }
    if (options.usagePlans) mapUsagePlans(options.usagePlans.document, builder, routeIndex, report, options.usagePlans.file);
  } else if (options.usagePlans) report.unmapped(options.usagePlans.file, '--usage-plans is read with --from aws only');

  if (builder.services.length === 0 && builder.routes.length === 0) report.unmapped('$.paths', 'no operation could be imported');
  return { document: builder.document(), report };
}
