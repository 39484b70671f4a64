/**
 * Kong's own aws-lambda payload, for configs without awsgateway_compatible: with any
 * forward_request_* option, the parts it names (`request_method`, `request_headers`, `request_uri`
 * and `request_uri_args`, `request_body`, `request_body_base64`, `request_body_args`); with none,
 * Kong's older form, the query arguments merged with the body's (JSON object or form fields).
 */
import type { RequestContext } from '../../src/plugin-kit/index.js';
import { headerLines, queryArguments } from './request-parts.js';
import type { AwsLambdaConfig } from './schema.js';

type Args = Record<string, string | string[]>;

/** Kong's `get_query`/`get_headers` shape: one value as a string, repeated ones as a list. */
function collapse(entries: Iterable<readonly [string, readonly string[]]>): Args {
  const out: Args = {};
  for (const [name, values] of entries) out[name] = values.length === 1 ? values[0]! : [...values];
  return out;
}

/** The body's arguments as Kong's `get_body` reads them: a JSON object, or form fields; otherwise none. */
function bodyArgs(contentType: string | undefined, body: Buffer): Record<string, unknown> {
  if (body.length === 0 || contentType === undefined) return {};
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  if (type === 'application/x-www-form-urlencoded') return collapse(queryArguments(body.toString('utf8').replace(/\+/g, ' ')));
  if (type === 'application/json' || type.endsWith('+json')) {
    try {
      const parsed: unknown = JSON.parse(body.toString('utf8'));
      if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
    } catch {
      // Not JSON after all: no arguments, as Kong.
    }
  }
  return {};
}

export function kongPayload(ctx: RequestContext, body: Buffer, config: AwsLambdaConfig): Record<string, unknown> {
  const query = ctx.upstreamQueryString();
  const contentType = ctx.headers['content-type'];
  const forwardsAny = config.forward_request_method || config.forward_request_uri || config.forward_request_headers || config.forward_request_body;
  if (!forwardsAny) return { ...collapse(queryArguments(query)), ...bodyArgs(contentType, body) };
  const payload: Record<string, unknown> = {};
  if (config.forward_request_method) payload.request_method = ctx.method;
  if (config.forward_request_headers) {
    const headers = new Map<string, string[]>();
    for (const [name, value] of headerLines(ctx)) {
      const lower = name.toLowerCase();
      headers.set(lower, [...(headers.get(lower) ?? []), value]);
    }
    payload.request_headers = collapse(headers);
  }
  if (config.forward_request_uri) {
    payload.request_uri = query === '' ? ctx.path : `${ctx.path}?${query}`;
    payload.request_uri_args = collapse(queryArguments(query));
  }
  if (config.forward_request_body) {
    payload.request_body = config.base64_encode_body ? body.toString('base64') : body.toString('utf8');
    payload.request_body_base64 = config.base64_encode_body;
    payload.request_body_args = bodyArgs(contentType, body);
  }
  return payload;
}
