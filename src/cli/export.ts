/**
 * `gatehouse export [--format yaml|openapi]`: the running config from the admin API, as declarative
 * YAML, or as an OpenAPI 3.1 document of the proxied API whose servers are the proxy listeners as
 * bound (src/openapi-export/).
 */
import { stringify } from 'yaml';
import type { ProxyListener } from '../admin/node-info-route.js';
import { proxiedApiDocument, type ExportSource } from '../openapi-export/document.js';
import type { AdminCommandArgs } from './admin-client.js';
import { reportFailure } from './config-sync.js';
import type { CommandOutput } from './validate.js';

export async function runExport(args: AdminCommandArgs, out: CommandOutput): Promise<number> {
  const format = args.values.format ?? 'yaml';
  if (format !== 'yaml' && format !== 'openapi') {
    out.stderr.write('gatehouse export: --format must be yaml or openapi\n');
    return 2;
  }
  try {
    const { body, version } = await args.client.call<ExportSource['config'] & Record<string, unknown>>('GET', '/config');
    if (format === 'yaml') {
      out.stdout.write(`# exported from config version ${version}\n${stringify(body)}`);
      return 0;
    }
    const node = await args.client.call<{ configuration: { proxy_listeners: ProxyListener[] } }>('GET', '/');
    const reachedHost = new URL(args.client.baseUrl).hostname;
    const document = proxiedApiDocument({ config: body, listeners: node.body.configuration.proxy_listeners, reachedHost });
    // No version comment: the same config exported again is the same text (export → import → export).
    out.stdout.write(stringify(document, { aliasDuplicateObjects: false }));
    return 0;
  } catch (error) {
    return reportFailure(error, out);
  }
}
