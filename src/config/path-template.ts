/**
 * A route path as an OpenAPI-style template (`/pets/{id}`): what the OpenAPI export documents and
 * what aws-lambda hands a function as API Gateway's `resource`. A plain path is its own template; a
 * regex path has one when its only variable parts are named groups (`~/pets/(?<id>\d+)$`), each then
 * a `{name}` parameter with its group's pattern. Any other regex has none (null).
 */
import { isRegexPath, REGEX_PATH_MARKER, toJsRegexPath } from './regex-path.js';

export interface PathParameter {
  name: string;
  /** The named group's own regex, e.g. `\d+`. */
  pattern: string;
}

export interface PathTemplate {
  template: string;
  parameters: PathParameter[];
  /** The path matches only the whole request path (a regex ending in `$`); a plain path is a prefix. */
  exact: boolean;
}

/** Characters that are regex syntax when not escaped; a literal template has none of them bare. */
const REGEX_SYNTAX = new Set(['.', '*', '+', '?', '(', ')', '[', ']', '{', '}', '|', '^', '$']);

/** Index just past the group opened at `start` (a `(`), skipping escapes and character classes; -1 if unclosed. */
function groupEnd(source: string, start: number): number {
  let depth = 0;
  let inClass = false;
  for (let i = start; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') i++;
    else if (inClass) inClass = c !== ']';
    else if (c === '[') inClass = true;
    else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i + 1;
  }
  return -1;
}

export function pathTemplate(path: string): PathTemplate | null {
  if (!isRegexPath(path)) return { template: path, parameters: [], exact: false };
  let source = toJsRegexPath(path.slice(REGEX_PATH_MARKER.length));
  if (source.startsWith('^')) source = source.slice(1);
  const exact = source.endsWith('$') && !source.endsWith('\\$');
  if (exact) source = source.slice(0, -1);
  let template = '';
  const parameters: PathParameter[] = [];
  for (let i = 0; i < source.length; ) {
    const c = source[i]!;
    if (source.startsWith('(?<', i) && source[i + 3] !== '=' && source[i + 3] !== '!') {
      const end = groupEnd(source, i);
      const close = source.indexOf('>', i);
      if (end < 0 || close < 0) return null;
      const name = source.slice(i + 3, close);
      parameters.push({ name, pattern: source.slice(close + 1, end - 1) });
      template += `{${name}}`;
      i = end;
    } else if (c === '\\') {
      const next = source[i + 1];
      // An escaped letter or digit is a class (\d, \w) or a back-reference: not a literal.
      if (next === undefined || /[A-Za-z0-9]/.test(next)) return null;
      template += next;
      i += 2;
    } else if (REGEX_SYNTAX.has(c)) {
      return null;
    } else {
      template += c;
      i++;
    }
  }
  if (!template.startsWith('/')) return null;
  return { template, parameters, exact };
}
