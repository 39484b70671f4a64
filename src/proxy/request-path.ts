/**
 * Request-target checks done before routing: the path must be origin-form, correctly
 * percent-encoded, and free of dot segments (plain or encoded) and NUL bytes, so no upstream can be
 * tricked into resolving `..` past the route it was exposed under.
 */

const DOT_SEGMENT = /(?:^|\/)(?:\.|%2e){1,2}(?:\/|$)/i;
const BAD_PERCENT = /%(?![0-9a-f]{2})|%00/i;
const BACKSLASH = /\\|%5c/i;

export function isAcceptablePath(path: string): boolean {
  if (path.charCodeAt(0) !== 47 /* "/" */) return false;
  // Fast path: nothing that could hide a dot segment or a bad escape.
  if (path.indexOf('.') === -1 && path.indexOf('%') === -1 && path.indexOf('\\') === -1) return true;
  return !DOT_SEGMENT.test(path) && !BAD_PERCENT.test(path) && !BACKSLASH.test(path);
}

/** Splits a raw request-target into path and query (without "?"), keeping both byte-for-byte. */
export function splitTarget(url: string): [path: string, query: string] {
  const at = url.indexOf('?');
  return at === -1 ? [url, ''] : [url.slice(0, at), url.slice(at + 1)];
}

/** Drops the named arguments from a raw query string, leaving every other byte untouched. */
export function withoutQueryArgs(query: string, names: ReadonlySet<string>): string {
  return query
    .split('&')
    .filter((pair) => {
      const eq = pair.indexOf('=');
      const rawName = eq === -1 ? pair : pair.slice(0, eq);
      let name = rawName;
      try {
        name = decodeURIComponent(rawName.replace(/\+/g, ' '));
      } catch {
        // An undecodable name is kept as it came.
      }
      return !names.has(name);
    })
    .join('&');
}
