/**
 * Path checks done before routing: the path must be correctly percent-encoded and free of dot
 * segments, backslashes and NUL bytes, so no upstream can be tricked into resolving `..` past the
 * route it was exposed under. Segments are split where any upstream may split them: at `/`, and at `%2F` and
 * `%5C` too, since many upstreams decode those before resolving the path (`/public/..%2Fsecret`);
 * a `;` after the dots counts as the segment's end (`/..;/`, which Java servlet containers resolve
 * as `..`). An encoded slash inside an ordinary segment (`/projects/group%2Fname`) passes untouched.
 */

const DOT_SEGMENT = /(?:^|\/|%2f|%5c)(?:\.|%2e){1,2}(?:\/|%2f|%5c|;|$)/i;
const BAD_PERCENT = /%(?![0-9a-f]{2})|%00/i;

export function isAcceptablePath(path: string): boolean {
  if (path.charCodeAt(0) !== 47 /* "/" */) return false;
  // Fast path: nothing that could hide a dot segment or a bad escape.
  if (path.indexOf('.') === -1 && path.indexOf('%') === -1 && path.indexOf('\\') === -1) return true;
  // A literal backslash is no URI character, and some upstreams take it for a slash.
  return !DOT_SEGMENT.test(path) && !BAD_PERCENT.test(path) && path.indexOf('\\') === -1;
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
