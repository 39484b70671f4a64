/**
 * Regex route paths ("~/..."): Kong writes them in PCRE, routing runs them as JavaScript RegExps, so
 * this is the one place that translates the dialect and proves the result compiles.
 */

/** The marker Kong puts before a path to say it is a regex. */
export const REGEX_PATH_MARKER = '~';

/** True when a route path is a regex ("~/...") rather than a plain prefix. */
export function isRegexPath(path: string): boolean {
  return path.startsWith(REGEX_PATH_MARKER);
}

/** Rewrites PCRE-only syntax JavaScript also expresses: named groups `(?P<name>...)` become `(?<name>...)`. */
export function toJsRegexPath(path: string): string {
  return path.replace(/\(\?P</g, '(?<');
}

/** Compiles a regex path (marker included); throws the engine's SyntaxError when it is invalid. */
export function compileRegexPath(path: string): RegExp {
  return new RegExp(toJsRegexPath(path.slice(REGEX_PATH_MARKER.length)));
}
