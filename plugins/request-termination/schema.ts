/** Config of the request-termination plugin: Kong's option names, defaults and rules. */
import { z } from '../../src/plugin-kit/index.js';

export const DEFAULT_STATUS_CODE = 503;

const present = (value: string | null | undefined): value is string => typeof value === 'string' && value.length > 0;

export const configSchema = z.lazy(() =>
  z
    .strictObject({
      status_code: z.int().min(100).max(599).default(DEFAULT_STATUS_CODE).describe('Status of the answer.'),
      message: z.string().nullish().describe('Message of the default JSON answer ({"message"}); the status\'s usual text when unset.'),
      body: z.string().nullish().describe('Raw body to answer with instead of the JSON message.'),
      content_type: z.string().nullish().describe('Content-Type of body.'),
      echo: z.boolean().default(false).describe('Answer with a JSON copy of the request (method, path, headers, query, route…), for debugging.'),
      trigger: z
        .string()
        .regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'must be a header name')
        .nullish()
        .describe('Terminate only requests that carry this header or query argument; others pass through.'),
    })
    .superRefine((config, ctx) => {
      // Kong's rules, with its messages.
      if (present(config.message) && (present(config.content_type) || present(config.body))) {
        ctx.addIssue({ code: 'custom', path: ['message'], message: 'message cannot be used with content_type or body' });
      }
      if (present(config.content_type) && !present(config.body)) ctx.addIssue({ code: 'custom', path: ['content_type'], message: 'content_type requires a body' });
      if (config.echo && (present(config.content_type) || present(config.body))) {
        ctx.addIssue({ code: 'custom', path: ['echo'], message: 'echo cannot be used with content_type and body' });
      }
    }),
);

export type RequestTerminationConfig = z.output<typeof configSchema>;
