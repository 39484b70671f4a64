/** Config of the http-log plugin: Kong's option names and defaults, plus Gatehouse's body options. */
import { z } from 'zod';
import { bodyLogOptions, queueSchema } from '../../src/plugin-kit/index.js';

export const DEFAULT_METHOD = 'POST';
export const DEFAULT_CONTENT_TYPE = 'application/json';
export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_KEEPALIVE_MS = 60_000;

export const configSchema = z.lazy(() =>
  z.strictObject({
    http_endpoint: z
      .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })
      .describe('Where entries are sent.'),
    method: z.enum(['POST', 'PUT', 'PATCH']).default(DEFAULT_METHOD).describe('HTTP method of the requests to the endpoint.'),
    content_type: z
      .enum(['application/json', 'application/json; charset=utf-8'])
      .default(DEFAULT_CONTENT_TYPE)
      .describe('Content-Type of the requests to the endpoint.'),
    timeout: z.int().min(1).default(DEFAULT_TIMEOUT_MS).describe('Milliseconds to connect to and get an answer from the endpoint.'),
    keepalive: z.int().min(1).default(DEFAULT_KEEPALIVE_MS).describe('Milliseconds an idle connection to the endpoint is kept.'),
    headers: z.record(z.string(), z.string()).default({}).describe('Extra headers sent to the endpoint (e.g. an Authorization for the sink).'),
    queue: queueSchema().describe('Batching and retry of entries (Kong\'s queue); a batch of one is sent as an object, larger ones as a JSON array.'),
    ...bodyLogOptions,
  }),
);

export type HttpLogConfig = z.output<typeof configSchema>;
