/**
 * Which answers proxy-cache may keep, decided on the upstream's head as it arrived: Kong's rules —
 * a configured status, a configured content type (matched exactly, parameters included), and with
 * cache_control no private/no-store/no-cache and a lifetime above zero — and Gatehouse's for a cache
 * shared by every client: no Set-Cookie, no Vary on a request header the key does not hold, and no
 * declared length over max_body_bytes. Also what of the head is kept: its end-to-end headers.
 */
import type { ResponseHead } from '../../src/plugin-kit/index.js';
import { parseCacheControl, resourceTtl } from './cache-control.js';
import type { ProxyCacheConfig } from './schema.js';

interface MediaType {
  type: string;
  subtype: string;
  params: ReadonlyMap<string, string>;
}

function parseMediaType(text: string): MediaType | null {
  const [essence = '', ...params] = text.split(';');
  const slash = essence.indexOf('/');
  if (slash === -1) return null;
  const parsed = new Map<string, string>();
  for (const param of params) {
    const eq = param.indexOf('=');
    if (eq === -1) continue;
    parsed.set(param.slice(0, eq).trim().toLowerCase(), param.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1').toLowerCase());
  }
  return { type: essence.slice(0, slash).trim().toLowerCase(), subtype: essence.slice(slash + 1).trim().toLowerCase(), params: parsed };
}

/** Kong's rule: type and subtype equal (or * in the config), and exactly the same parameters. */
function mediaTypeMatches(expected: MediaType, actual: MediaType): boolean {
  if (expected.type !== '*' && expected.type !== actual.type) return false;
  if (expected.subtype !== '*' && expected.subtype !== actual.subtype) return false;
  if (expected.params.size !== actual.params.size) return false;
  for (const [name, value] of expected.params) if (actual.params.get(name) !== value) return false;
  return true;
}

/** Not kept with an entry: they describe one connection or one answer's framing and age. */
const NOT_STORED = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'content-length', 'age']);

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

/** Why an answer is not kept (for Bypass), or its freshness in seconds. */
export type Verdict = { ttl: number } | { bypass: string };

export class ResponseRules {
  private readonly statuses: ReadonlySet<number>;
  private readonly contentTypes: readonly MediaType[];
  private readonly keyedHeaders: ReadonlySet<string>;

  constructor(private readonly config: ProxyCacheConfig) {
    this.statuses = new Set(config.response_code);
    this.contentTypes = config.content_type.map((text) => parseMediaType(text)!);
    this.keyedHeaders = new Set((config.vary_headers ?? []).map((name) => name.toLowerCase()));
  }

  judge(head: Readonly<ResponseHead>, now: number): Verdict {
    if (!this.statuses.has(head.status)) return { bypass: `status ${head.status}` };
    const headers = head.headers;
    const contentType = single(headers['content-type']);
    const media = contentType === undefined ? null : parseMediaType(contentType);
    if (media === null || !this.contentTypes.some((expected) => mediaTypeMatches(expected, media))) return { bypass: `content type ${contentType ?? '(none)'}` };
    if (headers['set-cookie'] !== undefined) return { bypass: 'Set-Cookie' };
    const vary = single(headers.vary);
    if (vary !== undefined) {
      for (const name of vary.split(',')) {
        const header = name.trim().toLowerCase();
        if (header !== '' && !this.keyedHeaders.has(header)) return { bypass: `Vary: ${name.trim()} (not in vary_headers)` };
      }
    }
    const length = single(headers['content-length']);
    if (length !== undefined && Number(length) > this.config.max_body_bytes) return { bypass: 'body over max_body_bytes' };
    if (!this.config.cache_control) return { ttl: this.config.cache_ttl };
    const directives = parseCacheControl(headers['cache-control']);
    if (directives.has('private') || directives.has('no-store') || directives.has('no-cache')) return { bypass: 'Cache-Control' };
    const ttl = resourceTtl(directives, single(headers.expires), now);
    return ttl > 0 ? { ttl } : { bypass: 'no lifetime (Cache-Control/Expires)' };
  }
}

/** The end-to-end headers of an answer, as kept with its entry. */
export function storableHeaders(headers: ResponseHead['headers']): Record<string, string | string[]> {
  const listed = new Set((single(headers.connection) ?? '').split(',').map((name) => name.trim().toLowerCase()));
  const out: Record<string, string | string[]> = {};
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined || NOT_STORED.has(name) || listed.has(name)) continue;
    out[name] = value;
  }
  return out;
}
