/**
 * The request as a Lambda function is shown it: the client's header lines (names as sent) with the
 * changes earlier plugins made for the upstream (authentication's X-Consumer-* headers, a
 * transformer's additions, forged copies removed), the query as the upstream would get it, decoded
 * query arguments, and whether a body is text or must travel base64.
 */
import type { RequestContext } from '../../src/plugin-kit/index.js';

/** Header lines that describe one connection; API Gateway does not pass them on either. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

export type HeaderLine = readonly [name: string, value: string];

/** The header lines the function sees, in arrival order, with plugin changes applied and API Gateway's X-Forwarded-* set. */
export function headerLines(ctx: RequestContext): HeaderLine[] {
  const overrides = ctx.upstreamHeaders;
  const forwarded: Record<string, string> = {
    'x-forwarded-for': forwardedFor(ctx),
    'x-forwarded-port': String(ctx.raw.socket.localPort ?? ''),
    'x-forwarded-proto': ctx.forwardedScheme,
  };
  const lines: HeaderLine[] = [];
  const raw = ctx.raw.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower) || lower in forwarded || overrides?.has(lower)) continue;
    lines.push([name, raw[i + 1]!]);
  }
  if (overrides) {
    for (const [name, value] of overrides) {
      if (value === null) continue;
      if (typeof value === 'string') lines.push([name, value]);
      else for (const item of value) lines.push([name, item]);
    }
  }
  for (const [name, value] of Object.entries(forwarded)) lines.push([name, value]);
  return lines;
}

/** The client's X-Forwarded-For with the peer appended, as the proxy sends it upstream. */
function forwardedFor(ctx: RequestContext): string {
  const peer = ctx.raw.socket.remoteAddress ?? ctx.clientIp;
  const sent = ctx.headers['x-forwarded-for'];
  const before = Array.isArray(sent) ? sent.join(', ') : sent;
  return before ? `${before}, ${peer}` : peer;
}

/** Percent-decodes a query name or value; a malformed escape is kept as it came. */
function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * Query arguments in order, each with every value it was given, decoded as API Gateway decodes them
 * for a Lambda event: percent-escapes only (`+` stays `+`) and `""` for a name without `=` — unlike
 * the kit's queryTable, which reads a query as Kong does (form-decoded, `true` for a bare name).
 */
export function queryArguments(query: string): Map<string, string[]> {
  const args = new Map<string, string[]>();
  if (query === '') return args;
  for (const pair of query.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = decode(eq < 0 ? pair : pair.slice(0, eq));
    const value = eq < 0 ? '' : decode(pair.slice(eq + 1));
    const values = args.get(name);
    if (values) values.push(value);
    else args.set(name, [value]);
  }
  return args;
}

/** Named captures of the route's regex path, decoded, or null when there are none. */
export function pathParameters(ctx: RequestContext): Record<string, string> | null {
  const names = Object.keys(ctx.captures);
  if (names.length === 0) return null;
  const parameters: Record<string, string> = {};
  for (const name of names) parameters[name] = decode(ctx.captures[name]!);
  return parameters;
}

const TEXT_TYPE = /^(text\/|application\/(json|javascript|xml|x-www-form-urlencoded|graphql|x-ndjson)\b|[^;]*\+(json|xml)\b)/i;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A body as API Gateway hands it to a function: text (a textual content type in valid UTF-8) as
 * it is, anything else base64 with isBase64Encoded. No body is null.
 */
export function eventBody(contentType: string | undefined, body: Buffer): { body: string | null; isBase64Encoded: boolean } {
  if (body.length === 0) return { body: null, isBase64Encoded: false };
  if (contentType !== undefined && TEXT_TYPE.test(contentType)) {
    try {
      return { body: utf8.decode(body), isBase64Encoded: false };
    } catch {
      // Declared text but not UTF-8: it travels as bytes.
    }
  }
  return { body: body.toString('base64'), isBase64Encoded: true };
}
