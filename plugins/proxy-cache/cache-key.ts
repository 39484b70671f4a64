/**
 * The cache key of a request, as Kong builds it: who asks (the route, and the consumer — or, when an
 * authentication plugin identified only a credential, that credential — so an authenticated answer
 * is never served to someone else), the method, the path, the query arguments (all, sorted, or only
 * vary_query_params) and the vary_headers, hashed with SHA-256. HEAD reads GET's entry: a HEAD answer
 * is a GET answer without its body.
 */
import { createHash } from 'node:crypto';
import { headerValue, queryTable, type RequestContext } from '../../src/plugin-kit/index.js';

export interface KeyOptions {
  ignoreUriCase: boolean;
  /** null: every query argument counts. */
  varyQueryParams: readonly string[] | null;
  /** Lower-case names; empty: no header counts. */
  varyHeaders: readonly string[];
}

/** Kong's generate_key_from: `name=value` (repeats sorted and joined by ","), a bare name alone, joined by ":". */
function part(values: ReadonlyMap<string, readonly (string | true)[]>, names: readonly string[]): string {
  const out: string[] = [];
  for (const name of names) {
    const list = values.get(name);
    if (list === undefined) continue;
    if (list.length === 1 && list[0] === true) out.push(name);
    else out.push(`${name}=${list.map(String).sort().join(',')}`);
  }
  return out.join(':');
}

function queryPart(query: string, options: KeyOptions): string {
  if (query === '') return '';
  const values = queryTable(query);
  return part(values, options.varyQueryParams ?? [...values.keys()].sort());
}

function headersPart(ctx: RequestContext, names: readonly string[]): string {
  if (names.length === 0) return '';
  const values = new Map<string, string[]>();
  for (const name of names) {
    const value = headerValue(ctx.headers, name);
    if (value !== undefined) values.set(name, [value]);
  }
  return part(values, names);
}

function whoAsks(ctx: RequestContext): string {
  const route = ctx.route.id;
  if (ctx.consumer !== null) return `${ctx.consumer.id}:${route}`;
  if (ctx.credential !== null) return `credential:${ctx.credential.type}:${ctx.credential.id}:${route}`;
  return route;
}

/**
 * Digests of recent keys' material: a hot key is hashed once, not per hit (hashing was a tenth of a
 * memory hit's cost). Bounded; it starts over when full.
 */
const digests = new Map<string, string>();
const REMEMBERED_DIGESTS = 10_000;

export function cacheKey(ctx: RequestContext, options: KeyOptions): string {
  const method = ctx.method === 'HEAD' ? 'GET' : ctx.method;
  const path = options.ignoreUriCase ? ctx.path.toLowerCase() : ctx.path;
  const material = `${whoAsks(ctx)}|${method}|${path}|${queryPart(ctx.query, options)}|${headersPart(ctx, options.varyHeaders)}`;
  let digest = digests.get(material);
  if (digest === undefined) {
    digest = createHash('sha256').update(material).digest('hex');
    if (digests.size >= REMEMBERED_DIGESTS) digests.clear();
    digests.set(material, digest);
  }
  return digest;
}
