/**
 * Cache-Control as proxy-cache reads it (RFC 9111 §5.2), the way Kong's parse_directive_header and
 * calculate_resource_ttl do: directive names lower-cased, numeric values as numbers, and a response's
 * lifetime from s-maxage, else max-age, else Expires.
 */

export type Directives = ReadonlyMap<string, number | string | true>;

const NONE: Directives = new Map();

export function parseCacheControl(value: string | string[] | undefined): Directives {
  if (value === undefined) return NONE;
  const directives = new Map<string, number | string | true>();
  for (const part of (Array.isArray(value) ? value.join(',') : value).split(',')) {
    const eq = part.indexOf('=');
    const name = (eq === -1 ? part : part.slice(0, eq)).trim().toLowerCase();
    if (name === '') continue;
    if (eq === -1) {
      directives.set(name, true);
      continue;
    }
    const raw = part.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
    directives.set(name, /^\d+$/.test(raw) ? Number(raw) : raw);
  }
  return directives;
}

/** A directive's delta-seconds value, or undefined when absent or not a number. */
export function seconds(directives: Directives, name: string): number | undefined {
  const value = directives.get(name);
  return typeof value === 'number' ? value : undefined;
}

/** How long a response may be served from a shared cache, in seconds (0: not at all). */
export function resourceTtl(directives: Directives, expires: string | undefined, now: number): number {
  const maxAge = seconds(directives, 's-maxage') ?? seconds(directives, 'max-age');
  if (maxAge !== undefined) return maxAge;
  if (expires === undefined) return 0;
  const at = Date.parse(expires);
  return Number.isNaN(at) ? 0 : Math.max(0, Math.floor((at - now) / 1000));
}
