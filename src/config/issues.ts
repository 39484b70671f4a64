/**
 * Config issues: turning zod issues into `path: message` pairs with Kong's wording ("unknown field",
 * "required field missing") and rendering paths as `services[0].routes[1].paths[0]`.
 */
import type { z } from 'zod';
import type { ConfigIssue } from './types.js';

export type PathSegment = PropertyKey;

const MISSING_CODES = new Set(['invalid_type', 'invalid_value', 'invalid_union']);

/** Parse options that word a missing required field as Kong does. */
export const PARSE_OPTIONS = {
  error: (issue: { code: string; input?: unknown }) => (MISSING_CODES.has(issue.code) && issue.input === undefined ? 'required field missing' : undefined),
} satisfies z.core.ParseContext<z.core.$ZodIssue>;

/** `["services", 0, "routes", 1]` → `services[0].routes[1]`. */
export function formatPath(segments: readonly PathSegment[]): string {
  let out = '';
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? String(segment) : `.${String(segment)}`;
  }
  return out;
}

/** One zod issue as path/message parts; an unrecognized-keys issue becomes one "unknown field" per key. */
export function issueParts(issue: z.core.$ZodIssue): { path: PathSegment[]; message: string }[] {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({ path: [...issue.path, key], message: 'unknown field' }));
  }
  return [{ path: [...issue.path], message: issue.message }];
}

/** All issues of a failed parse, with formatted paths, in the order zod met them. */
export function toConfigIssues(error: z.ZodError): ConfigIssue[] {
  return error.issues.flatMap(issueParts).map(({ path, message }) => ({ path: formatPath(path), message }));
}

/** Entity lists in the order they appear in a Kong file; a plain field sorts before any of them. */
const SECTION_ORDER = ['services', 'routes', 'upstreams', 'targets', 'consumers', 'keyauth_credentials', 'jwt_secrets', 'basicauth_credentials', 'acls', 'plugins', 'certificates', 'snis', 'ca_certificates'];

function orderKey(path: string): number[] {
  return (path.match(/[^.[\]]+/g) ?? []).map((token) => (/^\d+$/.test(token) ? Number(token) : SECTION_ORDER.indexOf(token)));
}

/** Issues sorted (stably) by where they are in the document: entity by entity, in declaration order. */
export function sortByDocumentOrder(issues: readonly ConfigIssue[]): ConfigIssue[] {
  const keyed = issues.map((issue) => ({ issue, key: orderKey(issue.path) }));
  keyed.sort((a, b) => {
    for (const [i, step] of a.key.entries()) {
      const other = b.key[i];
      // A path that ends first (an entity) sorts before the paths inside it.
      if (other === undefined) return 1;
      if (step !== other) return step - other;
    }
    return a.key.length - b.key.length;
  });
  return keyed.map(({ issue }) => issue);
}
