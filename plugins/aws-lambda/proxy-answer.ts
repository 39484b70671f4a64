/**
 * A function's proxy-integration answer read as API Gateway reads it, into the HTTP response:
 * `statusCode`, `headers` merged with `multiValueHeaders` (a name in both keeps the multi-value
 * list), `body` (base64-decoded with `isBase64Encoded`), and for payload 2.0 `cookies` as
 * Set-Cookie lines and the shortcut of an answer without `statusCode` (200, the answer itself as the
 * JSON body). Anything else is a 502 upstream_invalid_response, as API Gateway's "Malformed Lambda
 * proxy response".
 */
import { Errors, GatewayError, headerSafe, isHeaderName, type ShortCircuit } from '../../src/plugin-kit/index.js';

/** The response framing is the gateway's own; a function's copies would contradict it. */
const NOT_PASSED = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'upgrade', 'trailer', 'te', 'proxy-connection']);

export type PayloadVersion = '1.0' | '2.0';

function malformed(why: string): GatewayError {
  return new GatewayError(Errors.upstreamInvalidResponse, { cause: `malformed Lambda proxy response: ${why}` });
}

function scalar(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return null;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function addHeaders(into: Map<string, string[]>, source: unknown, multi: boolean, member: string): void {
  if (source === undefined || source === null) return;
  if (!isObject(source)) throw malformed(`${member} is not an object`);
  for (const [name, value] of Object.entries(source)) {
    if (!isHeaderName(name)) throw malformed(`${member} has an invalid header name ${JSON.stringify(name)}`);
    const lower = name.toLowerCase();
    if (NOT_PASSED.has(lower)) continue;
    const values = multi ? (Array.isArray(value) ? value : [value]) : [value];
    const texts = values.map(scalar);
    if (texts.some((text) => text === null)) throw malformed(`${member}.${name} is not a string`);
    into.set(lower, (texts as string[]).map(headerSafe));
  }
}

/** The function's answer as the response to send, or a GatewayError when it is not one. */
export function proxyAnswer(payload: Buffer, version: PayloadVersion): ShortCircuit {
  let answer: unknown;
  try {
    answer = JSON.parse(payload.toString('utf8'));
  } catch {
    throw malformed('not JSON');
  }
  if (version === '2.0' && (!isObject(answer) || answer.statusCode === undefined)) {
    return { status: 200, headers: { 'content-type': 'application/json' }, body: payload };
  }
  if (!isObject(answer)) throw malformed('not a JSON object');
  const status = typeof answer.statusCode === 'string' ? Number(answer.statusCode) : answer.statusCode;
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 100 || status > 599) throw malformed(`statusCode ${JSON.stringify(answer.statusCode)}`);
  const headers = new Map<string, string[]>();
  // A name given in both keeps the multi-value list, as API Gateway merges them.
  addHeaders(headers, answer.headers, false, 'headers');
  addHeaders(headers, answer.multiValueHeaders, true, 'multiValueHeaders');
  if (version === '2.0' && answer.cookies !== undefined) {
    if (!Array.isArray(answer.cookies) || answer.cookies.some((cookie) => typeof cookie !== 'string')) throw malformed('cookies is not a list of strings');
    headers.set('set-cookie', [...(headers.get('set-cookie') ?? []), ...(answer.cookies as string[]).map(headerSafe)]);
  }
  const body = answer.body;
  if (body !== undefined && body !== null && typeof body !== 'string') throw malformed('body is not a string');
  const bytes = typeof body !== 'string' ? Buffer.alloc(0) : answer.isBase64Encoded === true ? Buffer.from(body, 'base64') : Buffer.from(body, 'utf8');
  const out: Record<string, string | string[]> = {};
  for (const [name, values] of headers) out[name] = values.length === 1 ? values[0]! : values;
  return { status, headers: out, body: bytes };
}
