/**
 * The path sent upstream for a matched route: Kong's strip_path and path_handling (v0/v1) rules
 * for joining service.path with what is left of the request path, percent-encoding untouched.
 */
import type { RouteMatch } from './router.js';

export function upstreamPath(match: RouteMatch, requestPath: string, servicePath: string | undefined): string {
  const base = servicePath || '/';
  const { strip_path: strip, path_handling: handling } = match.route;
  // Kong drops a leading "." or ".." segment from the remainder so a strip cannot climb above base.
  const rest = strip ? sanitizeRemainder(requestPath.slice(match.matchedPath.length)) : '';
  return handling === 'v1' ? joinV1(base, strip, rest, requestPath) : joinV0(base, strip, rest, requestPath);
}

/** v1 treats service.path as a plain string prefix, only collapsing a doubled slash at the seam. */
function joinV1(base: string, strip: boolean, rest: string, requestPath: string): string {
  if (!strip) return base + requestPath.slice(1);
  return base.endsWith('/') && rest.startsWith('/') ? base.slice(0, -1) + rest : base + rest;
}

/**
 * v0 treats service.path and the remainder as path segments joined by exactly one slash; a
 * trailing slash on the request is kept, otherwise base's own trailing slash decides.
 */
function joinV0(base: string, strip: boolean, rest: string, requestPath: string): string {
  const requestEndsWithSlash = requestPath.endsWith('/');
  if (base.endsWith('/')) {
    if (!strip) return base + requestPath.slice(1);
    if (rest === '') return base === '/' || requestEndsWithSlash ? base : base.slice(0, -1);
    return rest.startsWith('/') ? base.slice(0, -1) + rest : base + rest;
  }
  if (!strip) return requestPath === '/' ? base : base + requestPath;
  if (rest === '') return requestPath.length > 1 && requestEndsWithSlash ? base + '/' : base;
  return rest.startsWith('/') ? base + rest : base + '/' + rest;
}

function sanitizeRemainder(rest: string): string {
  if (rest === '.' || rest === '..') return '';
  if (rest.startsWith('./')) return rest.slice(2);
  if (rest.startsWith('../')) return rest.slice(3);
  return rest;
}
