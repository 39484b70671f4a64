/**
 * `gatehouse export [--format yaml|openapi]`: the running config from the admin API, as declarative
 * YAML, or as an OpenAPI 3 document of the proxied routes (plain paths become paths and methods
 * become operations; regex paths, hosts and header conditions cannot be expressed and are listed in
 * the document's description instead).
 */
import { stringify } from 'yaml';
import type { GatewayConfig } from '../config/types.js';
import type { AdminCommandArgs } from './admin-client.js';
import { reportFailure } from './config-sync.js';
import type { CommandOutput } from './validate.js';

/** Methods a route without a method condition is documented with. */
const ALL_METHODS = ['get', 'post', 'put', 'patch', 'delete'];

type Document = Pick<GatewayConfig, 'services' | 'routes'>;

export function routesAsOpenApi(config: Document): Record<string, unknown> {
  const serviceName = new Map(config.services.map((s) => [s.id, s.name ?? s.id]));
  const paths: Record<string, Record<string, unknown>> = {};
  const skipped: string[] = [];
  for (const route of config.routes) {
    const name = route.name ?? route.id;
    const tag = route.service ? serviceName.get(route.service.id) : undefined;
    for (const [index, path] of (route.paths ?? []).entries()) {
      if (path.startsWith('~')) {
        skipped.push(`${name}: regex path ${path}`);
        continue;
      }
      const methods = route.methods?.map((m) => m.toLowerCase()) ?? ALL_METHODS;
      for (const method of methods) {
        (paths[path] ??= {})[method] = {
          operationId: `${name}.${method}${index > 0 ? `.${index}` : ''}`,
          summary: `route ${name}${route.hosts ? ` (hosts: ${route.hosts.join(', ')})` : ''}`,
          ...(tag ? { tags: [tag] } : {}),
          responses: { default: { description: 'Proxied upstream response' } },
        };
      }
    }
    if (!route.paths?.length) skipped.push(`${name}: no path (matches on hosts, methods or headers only)`);
  }
  const description = skipped.length ? `Routes that OpenAPI cannot express:\n${skipped.map((s) => `- ${s}`).join('\n')}` : undefined;
  return { openapi: '3.0.3', info: { title: 'Gatehouse routes', version: '1', ...(description ? { description } : {}) }, paths };
}

export async function runExport(args: AdminCommandArgs, out: CommandOutput): Promise<number> {
  const format = args.values.format ?? 'yaml';
  if (format !== 'yaml' && format !== 'openapi') {
    out.stderr.write('gatehouse export: --format must be yaml or openapi\n');
    return 2;
  }
  try {
    const { body, version } = await args.client.call<Document & Record<string, unknown>>('GET', '/config');
    const document = format === 'yaml' ? body : routesAsOpenApi(body);
    out.stdout.write(`# exported from config version ${version}\n${stringify(document)}`);
    return 0;
  } catch (error) {
    return reportFailure(error, out);
  }
}
