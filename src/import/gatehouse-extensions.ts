/**
 * A document written by `gatehouse export --format openapi` carries the config it was made from in
 * `x-gatehouse-*` extensions (`x-gatehouse-format-version`, `-services`, `-upstreams`, `-routes`,
 * `-plugins` at the top level, entities as `GET /config` shows them; `x-gatehouse-route` naming each
 * operation's route; `x-gatehouse-preflight` on the CORS preflights export adds). Those are the whole
 * truth about the config, so import takes them as they are — export → import → export is stable —
 * and only reports operations that name no exported route (added by hand after the export).
 */
import { isObject, type Json, type OpenApiDocument } from './openapi-document.js';
import { childPath, jsonPath, type ImportReport } from './report.js';

const ENTITY_EXTENSIONS = { services: 'x-gatehouse-services', upstreams: 'x-gatehouse-upstreams', routes: 'x-gatehouse-routes', plugins: 'x-gatehouse-plugins' } as const;

/** True when the document was written by `gatehouse export --format openapi`. */
export function isGatehouseExport(root: Json): boolean {
  return Object.values(ENTITY_EXTENSIONS).some((key) => Array.isArray(root[key]));
}

/** The config an exported document carries. */
export function configFromExport(doc: OpenApiDocument, report: ImportReport): Record<string, unknown> {
  const root = doc.root;
  const version = typeof root['x-gatehouse-format-version'] === 'string' ? root['x-gatehouse-format-version'] : '3.0';
  const document: Record<string, unknown> = { _format_version: version };
  for (const [field, key] of Object.entries(ENTITY_EXTENSIONS)) {
    const entities = root[key];
    if (!Array.isArray(entities)) continue;
    document[field] = entities;
    report.mapped(jsonPath(key), `${entities.length} ${field} as exported`, field);
  }
  const routeIds = new Set((Array.isArray(root['x-gatehouse-routes']) ? root['x-gatehouse-routes'] : []).filter(isObject).map((route) => route.id));
  for (const op of doc.operations()) {
    if (op.operation['x-gatehouse-preflight'] === true) continue;
    const id = op.operation['x-gatehouse-route'];
    if (routeIds.has(id)) continue;
    report.unmapped(
      id === undefined ? op.path : childPath(op.path, 'x-gatehouse-route'),
      id === undefined ? 'operation added after the export: it has no route in x-gatehouse-routes (add one there)' : `route ${String(id)} is not in x-gatehouse-routes`,
    );
  }
  report.partial('$', 'consumers, their credentials and consumer-scoped plugins are not in an OpenAPI export: take them from gatehouse export (YAML)');
  return document;
}
