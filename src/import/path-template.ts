/**
 * OpenAPI and API Gateway path templates as route paths that keep the path's shape: `/pets/{petId}`
 * becomes `~/pets/(?<petId>[^/]+)$`, API Gateway's greedy `{proxy+}` one or more whole segments, and
 * a path without a template an exact match (`~/pets$`, as decK's openapi2kong writes it), so that
 * `/pets` does not also catch `/pets/1/unknown` as a plain prefix would. Parameter names that are
 * not regex group names are renamed; `groups` says which group holds which parameter.
 */
export interface RoutePath {
  /** The route path, a `~` regex. */
  path: string;
  /** Template parameter → named group of `path`. */
  groups: Map<string, string>;
}

const REGEX_SPECIAL = /[.*+?^${}()|[\]\\]/g;

/** A valid, unique group name for a template parameter. */
function groupName(parameter: string, taken: Set<string>): string {
  let name = parameter.replace(/[^A-Za-z0-9_]/g, '_');
  if (!/^[A-Za-z_]/.test(name)) name = `_${name}`;
  while (taken.has(name)) name = `${name}_`;
  taken.add(name);
  return name;
}

/** `prefix` (a base path such as `/v1`, or empty) joined with the template `template`. */
export function routePathOf(prefix: string, template: string): RoutePath {
  const groups = new Map<string, string>();
  const taken = new Set<string>();
  const full = `${prefix.replace(/\/+$/, '')}${template.startsWith('/') ? '' : '/'}${template}`;
  let regex = '';
  let last = 0;
  for (const match of full.matchAll(/\{([^}]+?)(\+?)\}/g)) {
    regex += full.slice(last, match.index).replace(REGEX_SPECIAL, '\\$&');
    const group = groupName(match[1]!, taken);
    groups.set(match[1]!, group);
    regex += match[2] ? `(?<${group}>.+)` : `(?<${group}>[^/]+)`;
    last = match.index + match[0].length;
  }
  regex += full.slice(last).replace(REGEX_SPECIAL, '\\$&');
  return { path: `~${regex === '' ? '/' : regex}$`, groups };
}

/**
 * A path template (a backend URI's path) as a request-transformer `replace.uri` template, each
 * `{name}` replaced by the template `sourceOf(name)` gives (e.g. `$(uri_captures.id)`); the names
 * without a source are listed in `missing` and left empty.
 */
export function uriTemplateOf(template: string, sourceOf: (name: string) => string | null | undefined): { uri: string; missing: string[] } {
  const missing: string[] = [];
  const uri = template.replace(/\{([^}]+?)\+?\}/g, (_whole, name: string) => {
    const source = sourceOf(name);
    if (source == null) missing.push(name);
    return source ?? '';
  });
  return { uri, missing };
}
