/** Config of the forward-auth plugin (Gatehouse's custom authorizer; option names from PRODUCT.md). */
import { z } from 'zod';
import { headerNameField } from '../../src/plugin-kit/index.js';

export const DEFAULT_REQUEST_HEADERS = ['authorization'];
export const DEFAULT_TTL = 0;
export const DEFAULT_TIMEOUT_MS = 5000;
export const DEFAULT_FAILURE_STATUS = 503;

export const configSchema = z.lazy(() =>
  z.strictObject({
    url: z.url({ protocol: /^https?$/ }).describe('Authorizer endpoint, called with GET for each request (or cache miss).'),
    request_headers: z
      .array(headerNameField)
      .default(DEFAULT_REQUEST_HEADERS)
      .describe('Client request headers sent to the authorizer; their values are the identity decisions are cached by.'),
    forward_method_and_path: z
      .boolean()
      .default(false)
      .describe('Also send X-Forwarded-Method and X-Forwarded-Uri (then part of the cache key too).'),
    response_headers: z
      .array(headerNameField)
      .default([])
      .describe("Headers copied from the authorizer's 2xx answer to the upstream request (client copies removed)."),
    ttl: z.int().min(0).max(86_400).default(DEFAULT_TTL).describe('Seconds a decision is cached per identity; 0 = no cache.'),
    timeout: z.int().min(1).max(60_000).default(DEFAULT_TIMEOUT_MS).describe('Milliseconds the authorizer has to answer.'),
    failure_status: z
      .literal([500, 503])
      .default(DEFAULT_FAILURE_STATUS)
      .describe('Status answered when the authorizer fails, times out or answers anything but 2xx/401/403.'),
  }),
);

export type ForwardAuthConfig = z.output<typeof configSchema>;
