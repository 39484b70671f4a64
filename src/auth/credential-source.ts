/**
 * Reads a credential from where a client put it — a header, a query argument (a cookie: src/http/cookie.ts)
 * — without parsing more of the request than the plugin's options ask for.
 */
import type { IncomingHttpHeaders } from 'node:http';

export function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function decodeComponent(value: string): string | undefined {
  try {
    return decodeURIComponent(value.replaceAll('+', ' '));
  } catch {
    return undefined;
  }
}

/** The first value of query argument `name` in a raw query string (form-decoded), if any. */
export function queryArg(query: string, name: string): string | undefined {
  if (query === '') return undefined;
  for (const pair of query.split('&')) {
    const eq = pair.indexOf('=');
    const key = decodeComponent(eq === -1 ? pair : pair.slice(0, eq));
    if (key === name) return eq === -1 ? '' : decodeComponent(pair.slice(eq + 1));
  }
  return undefined;
}

/** Only the scheme is matched by a regex, so a long token is not scanned by it. */
const BEARER_SCHEME = /^\s*bearer\s/i;

/** The token of an `Authorization: Bearer <token>` style value, as Kong's jwt matches it. */
export function bearerToken(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const scheme = BEARER_SCHEME.exec(value);
  // Header values never hold line breaks (the HTTP parser refuses them): the trimmed rest is the token.
  return scheme === null ? undefined : value.slice(scheme[0].length).trim() || undefined;
}
