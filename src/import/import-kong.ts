/**
 * `gatehouse import --from kong`: a decK/Kong declarative file of `_format_version` 1.1, 2.1 or 3.0
 * as a Gatehouse 3.0 file. Before 3.0 a regex path had no `~` prefix: each path that looks like a
 * regex gets one, as `deck file convert` does. Ids and tags are kept. Then the file is validated as
 * Gatehouse reads it, and what Gatehouse lacks is taken out and reported at its path in the source,
 * pass by pass, until the rest validates: an unknown field is removed; a plugin Gatehouse lacks or
 * cannot configure so is removed (an authentication or authorization plugin is replaced by a
 * request-termination 403 so nothing it protected becomes open); any other entity that does not
 * validate is removed with what hangs under it.
 */
import { formatPath } from '../config/issues.js';
import { kongCompat } from '../config/kong-compat.js';
import type { ConfigIssue } from '../config/types.js';
import { validateConfig } from '../config/validate.js';
import type { PluginRegistry } from '../pipeline/registry.js';
import { isObject, type Json } from './openapi-document.js';
import { ImportReport } from './report.js';

const SOURCE_VERSIONS = ['1.1', '2.1', '3.0'];
const MAX_PASSES = 10;
/** Kong's plugins that decide who may pass: never dropped silently. */
const ACCESS_CONTROL_PLUGINS = new Set([
  'acl', 'basic-auth', 'bot-detection', 'forward-auth', 'hmac-auth', 'ip-restriction', 'jwt', 'jwt-signer', 'key-auth', 'key-auth-enc', 'ldap-auth',
  'ldap-auth-advanced', 'mtls-auth', 'oauth2', 'oauth2-introspection', 'opa', 'openid-connect', 'request-validator', 'session', 'vault-auth',
]);
/** Lists whose elements are entities: a bad element is removed whole. */
const ENTITY_LISTS = new Set(['services', 'routes', 'upstreams', 'targets', 'consumers', 'keyauth_credentials', 'jwt_secrets', 'basicauth_credentials', 'acls', 'certificates', 'snis', 'ca_certificates']);

type Segment = string | number;

/** `services[0].routes[1].paths[0]` → segments. */
function segmentsOf(path: string): Segment[] {
  return [...path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)].map((m) => (m[2] !== undefined ? Number(m[2]) : m[1]!));
}

/** Looks like a regex: Kong 3's rule, as decK applies it when converting. */
const REGEX_LIKE = /[\\^$*+?()[\]{}|]/;

/** Adds `~` to pre-3.0 regex paths, reporting each. */
function prefixRegexPaths(document: Json, report: ImportReport): void {
  const visit = (routes: unknown, path: string) => {
    if (!Array.isArray(routes)) return;
    for (const [i, route] of routes.entries()) {
      if (!isObject(route) || !Array.isArray(route.paths)) continue;
      route.paths = route.paths.map((p, j) => {
        if (typeof p !== 'string' || p.startsWith('~') || !REGEX_LIKE.test(p)) return p;
        report.mapped(`${path}[${i}].paths[${j}]`, `regex path before 3.0: written as ~${p}`);
        return `~${p}`;
      });
    }
  };
  visit(document.routes, 'routes');
  if (Array.isArray(document.services)) document.services.forEach((service, i) => isObject(service) && visit(service.routes, `services[${i}].routes`));
}

/** Every object and array of the document with its path in the source, so later passes still report source paths. */
function sourcePaths(root: unknown): WeakMap<object, string> {
  const paths = new WeakMap<object, string>();
  const walk = (node: unknown, path: Segment[]) => {
    if (typeof node !== 'object' || node === null) return;
    paths.set(node, formatPath(path));
    for (const [key, value] of Object.entries(node)) walk(value, [...path, Array.isArray(node) ? Number(key) : key]);
  };
  walk(root, []);
  return paths;
}

interface Removal {
  container: Json | unknown[];
  key: Segment;
  message: string;
  /** Replace with a request-termination instead of removing (access-control plugins). */
  close?: boolean;
}

/** What to take out for one issue: the field, the plugin, or the entity the issue is in. */
function removalFor(document: Json, issue: ConfigIssue): Removal | null {
  const segments = segmentsOf(issue.path);
  if (segments.length === 0) return null;
  const nodes: unknown[] = [document];
  for (const segment of segments) {
    const parent = nodes[nodes.length - 1];
    nodes.push(typeof parent === 'object' && parent !== null ? (parent as Record<Segment, unknown>)[segment] : undefined);
  }
  const at = (depth: number) => ({ container: nodes[depth] as Json | unknown[], key: segments[depth]! });
  if (issue.message === 'unknown field') {
    // An access-control plugin keeps enforcing without an option Gatehouse lacks; the report says to check it.
    const inPlugin = segments.lastIndexOf('plugins');
    const plugin = inPlugin >= 0 && segments[inPlugin + 2] === 'config' ? nodes[inPlugin + 2] : undefined;
    const accessControl = isObject(plugin) && ACCESS_CONTROL_PLUGINS.has(String(plugin.name));
    return { ...at(segments.length - 1), message: accessControl ? `unknown ${String(plugin.name)} option: removed; the plugin still applies, check that it allows no more than before` : 'unknown field: removed' };
  }
  const pluginDepth = segments.lastIndexOf('plugins');
  if (pluginDepth >= 0 && typeof segments[pluginDepth + 1] === 'number') {
    const plugin = nodes[pluginDepth + 2];
    const name = isObject(plugin) ? String(plugin.name) : '?';
    const why = issue.message.startsWith('unknown plugin') ? `plugin ${name} is not available in Gatehouse` : `plugin ${name}: ${issue.path.slice(formatPath(segments.slice(0, pluginDepth + 2)).length + 1) || 'entity'}: ${issue.message}`;
    return { ...at(pluginDepth + 1), message: why, close: ACCESS_CONTROL_PLUGINS.has(name) };
  }
  for (let depth = segments.length - 1; depth > 0; depth--) {
    if (typeof segments[depth] === 'number' && ENTITY_LISTS.has(String(segments[depth - 1]))) {
      return { ...at(depth), message: `${issue.path}: ${issue.message}; the entity is left out` };
    }
  }
  if (segments.length === 1) return { ...at(0), message: `${issue.message}; removed` };
  return null;
}

export function importKong(input: unknown, registry: PluginRegistry, file: string): { document: Record<string, unknown>; report: ImportReport; issues: ConfigIssue[] } {
  const report = new ImportReport('kong', file);
  if (!isObject(input)) throw new Error('not a Kong declarative file: expected a mapping at the top level');
  const raw = input._format_version;
  // An unquoted `_format_version: 3.0` is the YAML number 3.
  const version = raw === undefined ? undefined : typeof raw === 'number' ? raw.toFixed(1) : String(raw);
  if (version !== undefined && !SOURCE_VERSIONS.includes(version)) throw new Error(`_format_version "${version}": expected one of ${SOURCE_VERSIONS.join(', ')}`);
  const compat = kongCompat(input, 'file');
  for (const warning of compat.warnings) report.partial(warning.path, warning.message);
  const document = structuredClone(compat.document) as Json;
  const paths = sourcePaths(document);
  if (version !== '3.0') prefixRegexPaths(document, report);
  if (version !== undefined && version !== '3.0') report.mapped('_format_version', `${version} → 3.0`);
  document._format_version = '3.0';

  let issues: ConfigIssue[] = [];
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const result = validateConfig(document, registry);
    if (result.ok) return { document, report, issues: [] };
    issues = result.issues;
    const removals = issues.map((issue) => removalFor(document, issue)).filter((r): r is Removal => r !== null && r.container !== undefined && r.container !== null);
    if (removals.length === 0) break;
    // Deepest and last first, so removing one never shifts the index of another.
    const seen = new Set<unknown>();
    const unique = removals.filter((r) => {
      const target = (r.container as Record<Segment, unknown>)[r.key] ?? `${String(paths.get(r.container))}.${String(r.key)}`;
      if (seen.has(target)) return false;
      seen.add(target);
      return true;
    });
    const index = (removal: Removal) => (typeof removal.key === 'number' ? removal.key : -1);
    unique.sort((a, b) => index(b) - index(a));
    for (const removal of unique) {
      const value = (removal.container as Record<Segment, unknown>)[removal.key];
      const where = (typeof value === 'object' && value !== null ? paths.get(value) : undefined) ?? `${paths.get(removal.container) ?? '?'}${typeof removal.key === 'number' ? `[${removal.key}]` : `.${removal.key}`}`;
      if (removal.close && Array.isArray(removal.container)) {
        removal.container[removal.key as number] = { name: 'request-termination', config: { status_code: 403, message: 'Forbidden: an access-control plugin of this scope is not supported by Gatehouse' } };
        report.unmapped(where, `${removal.message}; replaced by request-termination 403 so that what it protected stays closed`);
        continue;
      }
      if (Array.isArray(removal.container)) removal.container.splice(removal.key as number, 1);
      else delete (removal.container as Json)[removal.key as string];
      report.unmapped(where, removal.message);
    }
  }
  return { document, report, issues };
}
