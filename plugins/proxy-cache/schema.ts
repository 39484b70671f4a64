/**
 * Config of the proxy-cache plugin: Kong's option names and defaults, with `strategy: redis` and its
 * `redis` block (the kit's, as rate-limiting's) for a cache shared by every instance, and Gatehouse's
 * `memory.dictionary_size` and `max_body_bytes` bounds.
 */
import { DEFAULT_REDIS_TIMEOUT_MS, redisOptionsSchema, z } from '../../src/plugin-kit/index.js';

export const DEFAULT_RESPONSE_CODES = [200, 301, 404];
export const DEFAULT_REQUEST_METHODS = ['GET', 'HEAD'] as const;
export const DEFAULT_CONTENT_TYPES = ['text/plain', 'application/json'];
export const DEFAULT_CACHE_TTL = 300;
export const DEFAULT_DICTIONARY_NAME = 'kong_db_cache';
/** Kong's kong_db_cache shared dict is 128 MiB by default (mem_cache_size). */
export const DEFAULT_DICTIONARY_SIZE = 128 * 1024 * 1024;
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

const MEDIA_TYPE = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+\/[!#$%&'*+.^_`|~0-9A-Za-z-]+(\s*;.*)?$/;

export const configSchema = z.lazy(() =>
  z.strictObject({
    response_code: z
      .array(z.int().min(100).max(900))
      .min(1)
      .default(DEFAULT_RESPONSE_CODES)
      .describe('Upstream statuses that are cached.'),
    request_method: z
      .array(z.enum(['HEAD', 'GET', 'POST', 'PATCH', 'PUT']))
      .default([...DEFAULT_REQUEST_METHODS])
      .describe('Request methods that are cached (the key does not include a request body, as in Kong).'),
    content_type: z
      .array(z.string().regex(MEDIA_TYPE, 'must be a media type, e.g. application/json'))
      .default(DEFAULT_CONTENT_TYPES)
      .describe('Upstream content types that are cached, matched exactly as Kong (type/subtype, * allowed, and the same parameters).'),
    cache_ttl: z.int().positive().default(DEFAULT_CACHE_TTL).describe('Seconds a cached answer stays fresh (unless cache_control takes it from the answer).'),
    strategy: z.enum(['memory', 'redis']).describe('Where entries live: memory (this process) or redis (shared by every instance).'),
    cache_control: z.boolean().default(false).describe('Honour Cache-Control (RFC 9111) in requests and answers: no-store, no-cache, private, max-age, s-maxage…'),
    ignore_uri_case: z.boolean().default(false).describe('Treat paths that differ only in letter case as one entry.'),
    storage_ttl: z.int().positive().nullish().describe('Seconds an entry is kept in the store (a stale one is refreshed on use); the freshness TTL when unset.'),
    memory: z
      .strictObject({
        dictionary_name: z.string().min(1).default(DEFAULT_DICTIONARY_NAME).describe('Name of the in-process store; instances naming the same one share it.'),
        dictionary_size: z.int().positive().default(DEFAULT_DICTIONARY_SIZE).describe('Bytes the store may hold; the least recently used entries are evicted beyond it.'),
      })
      .prefault({})
      .describe('The memory strategy\'s store.'),
    redis: redisOptionsSchema.prefault({}).describe(`Redis for the redis strategy (Kong 3.x names; the gateway's GATEHOUSE_REDIS_URL when it names none). Commands time out after timeout ms (${DEFAULT_REDIS_TIMEOUT_MS} by default) and the cache is bypassed.`),
    vary_query_params: z.array(z.string().min(1)).nullish().describe('Query arguments that make up the key; all of them when unset.'),
    vary_headers: z.array(z.string().min(1)).nullish().describe('Request headers that make up the key; none when unset.'),
    response_headers: z
      .strictObject({
        age: z.boolean().default(true).describe('Send Age on hits.'),
        'X-Cache-Status': z.boolean().default(true).describe('Send X-Cache-Status (Miss, Hit, Refresh, Bypass).'),
        'X-Cache-Key': z.boolean().default(true).describe('Send X-Cache-Key.'),
      })
      .prefault({})
      .describe('Which cache headers answers carry.'),
    max_body_bytes: z
      .int()
      .min(0)
      .default(DEFAULT_MAX_BODY_BYTES)
      .describe('Answers with a larger body stream through uncached.'),
  }),
);

export type ProxyCacheConfig = z.output<typeof configSchema>;
