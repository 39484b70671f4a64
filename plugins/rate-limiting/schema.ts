/** Config of the rate-limiting plugin: Kong's option names and defaults, plus Gatehouse's `algorithm` and `sync_rate`. */
import { redisOptionsSchema, z } from '../../src/plugin-kit/index.js';

export const WINDOW_NAMES = ['second', 'minute', 'hour', 'day', 'month', 'year'] as const;
export type WindowName = (typeof WINDOW_NAMES)[number];

export const DEFAULT_LIMIT_BY = 'consumer';
export const DEFAULT_POLICY = 'local';
export const DEFAULT_ALGORITHM = 'sliding-window';
export const DEFAULT_ERROR_CODE = 429;
export const DEFAULT_ERROR_MESSAGE = 'API rate limit exceeded';

const limit = (window: WindowName) =>
  z.number().positive().nullish().describe(`Requests allowed per ${window}; unset or null for none.`);

const redisSchema = () => redisOptionsSchema.describe('Redis connection for the redis policy (Kong 3.x names).');

export const configSchema = z.lazy(() =>
  z
    .strictObject({
      second: limit('second'),
      minute: limit('minute'),
      hour: limit('hour'),
      day: limit('day'),
      month: limit('month'),
      year: limit('year'),
      limit_by: z
        .enum(['consumer', 'credential', 'ip', 'service', 'header', 'path'])
        .default(DEFAULT_LIMIT_BY)
        .describe('Whose requests are counted together; consumer, credential, service, header and path fall back to the client IP when absent.'),
      header_name: z.string().min(1).nullish().describe('Header whose value identifies the client when limit_by is header.'),
      path: z.string().startsWith('/').nullish().describe('Path counted when limit_by is path (requests on other paths count by IP).'),
      policy: z
        .enum(['local', 'redis', 'cluster'])
        .default(DEFAULT_POLICY)
        .transform((policy) => (policy === 'cluster' ? 'redis' : policy))
        .describe('Where counters live: local (this process) or redis (shared by every instance); cluster is an alias of redis.'),
      algorithm: z
        .enum(['sliding-window', 'fixed-window'])
        .default(DEFAULT_ALGORITHM)
        .describe('sliding-window (no double burst across a window boundary) or fixed-window (Kong\'s calendar windows).'),
      sync_rate: z
        .number()
        .min(0)
        .nullish()
        .describe('Seconds between batched syncs with Redis (counts locally in between); unset or 0 checks Redis on every request.'),
      fault_tolerant: z.boolean().default(true).describe('When the counter store fails, let requests through unlimited (true) or answer 500 (false).'),
      hide_client_headers: z.boolean().default(false).describe('Do not send the X-RateLimit-* and RateLimit-* headers.'),
      error_code: z.int().min(400).max(599).default(DEFAULT_ERROR_CODE).describe('Status of the answer when a limit is exceeded.'),
      error_message: z.string().default(DEFAULT_ERROR_MESSAGE).describe('Message of the answer when a limit is exceeded.'),
      redis: redisSchema().prefault({}),
    })
    .superRefine((config, ctx) => {
      const set = WINDOW_NAMES.filter((name) => config[name] != null);
      if (set.length === 0) ctx.addIssue({ code: 'custom', path: [], message: `at least one of ${WINDOW_NAMES.join(', ')} must be set` });
      // As Kong: a longer window may not allow fewer requests than a shorter one.
      for (let i = 1; i < set.length; i++) {
        const [shorter, longer] = [set[i - 1]!, set[i]!];
        if (config[longer]! < config[shorter]!) {
          ctx.addIssue({ code: 'custom', path: [longer], message: `the limit for ${longer} (${config[longer]}) cannot be lower than the limit for ${shorter} (${config[shorter]})` });
        }
      }
      if (config.limit_by === 'header' && !config.header_name) ctx.addIssue({ code: 'custom', path: ['header_name'], message: 'required when limit_by is header' });
      if (config.limit_by === 'path' && !config.path) ctx.addIssue({ code: 'custom', path: ['path'], message: 'required when limit_by is path' });
    }),
);

export type RateLimitingConfig = z.output<typeof configSchema>;
