/**
 * A route's method and header conditions and its route-level priority, prepared once at compile
 * time so checking a request against them allocates nothing.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { RouteEntity } from '../config/types.js';

/** Kong caps the header count it sorts by at 255 (8 bits of its priority word). */
const MAX_HEADER_COUNT = 255;

interface HeaderCondition {
  /** Lower-cased, as Node delivers request header names. */
  readonly name: string;
  /** Lower-cased accepted values. */
  readonly values: ReadonlySet<string>;
}

export interface RouteRule {
  readonly route: RouteEntity;
  /** Position in the config; the last tie-breaker. */
  readonly order: number;
  /** null when the route accepts any method. */
  readonly methods: ReadonlySet<string> | null;
  readonly headers: readonly HeaderCondition[];
  /**
   * Kong's route-level priority as one number, compared before anything about paths: the count of
   * configured attribute kinds, then "every host is plain", then the number of header conditions.
   */
  readonly rank: number;
}

export function compileRule(route: RouteEntity, order: number): RouteRule {
  const methods = route.methods?.length ? new Set(route.methods.map((m) => m.toUpperCase())) : null;
  const headers = Object.entries(route.headers ?? {}).map(([name, values]) => ({
    name: name.toLowerCase(),
    values: new Set(values.map((v) => v.toLowerCase())),
  }));
  const hosts = route.hosts ?? [];
  const kinds = [methods !== null, hosts.length > 0, headers.length > 0, (route.paths?.length ?? 0) > 0].filter(Boolean).length;
  const plainHostsOnly = hosts.length > 0 && hosts.every((h) => !h.includes('*'));
  const rank = (kinds * 2 + (plainHostsOnly ? 1 : 0)) * (MAX_HEADER_COUNT + 1) + Math.min(headers.length, MAX_HEADER_COUNT);
  return { route, order, methods, headers, rank };
}

/** True when the method is accepted and every header condition has one accepted value. */
export function conditionsHold(rule: RouteRule, method: string, headers: IncomingHttpHeaders): boolean {
  if (rule.methods !== null && !rule.methods.has(method)) return false;
  for (const condition of rule.headers) {
    if (!headerMatches(condition, headers[condition.name])) return false;
  }
  return true;
}

/**
 * A repeated header arrives as an array when the caller passes `req.headersDistinct`; any one of
 * its values may satisfy the condition, as in Kong. Node's default `req.headers` joins repeats
 * with ", ", which is then compared as one value.
 */
function headerMatches(condition: HeaderCondition, value: string | string[] | undefined): boolean {
  if (value === undefined) return false;
  if (typeof value === 'string') return condition.values.has(value.toLowerCase());
  for (const v of value) if (condition.values.has(v.toLowerCase())) return true;
  return false;
}
