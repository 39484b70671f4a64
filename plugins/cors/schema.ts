/** Config of the cors plugin: Kong's option names, defaults and checks. */
import { z } from '../../src/plugin-kit/index.js';
import { compileOriginRegex, isRegexEntry } from './origins.js';

/** Kong's methods, all allowed by default. */
export const CORS_METHODS = ['GET', 'HEAD', 'PUT', 'PATCH', 'POST', 'DELETE', 'OPTIONS', 'TRACE', 'CONNECT'] as const;

const origin = () => z.string().min(1).superRefine((entry, ctx) => {
  if (!isRegexEntry(entry)) return;
  try {
    compileOriginRegex(entry);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: `'${entry}' is not a valid regex: ${(error as Error).message}` });
  }
});

export const configSchema = z.lazy(() =>
  z.strictObject({
    origins: z
      .array(origin())
      .nullish()
      .describe('Allowed origins: exact (https://app.example.com), * for any, or regexes (matched whole; against the host only when the regex has no ":"). None set allows any origin.'),
    methods: z.array(z.enum(CORS_METHODS)).default([...CORS_METHODS]).describe('Value of Access-Control-Allow-Methods on preflight answers.'),
    headers: z
      .array(z.string().min(1))
      .nullish()
      .describe('Value of Access-Control-Allow-Headers on preflight answers; when unset, the preflight\'s Access-Control-Request-Headers is echoed.'),
    exposed_headers: z.array(z.string().min(1)).nullish().describe('Value of Access-Control-Expose-Headers on actual responses; none when unset.'),
    credentials: z.boolean().default(false).describe('Send Access-Control-Allow-Credentials: true (with * origins, the request\'s origin is echoed instead of *).'),
    max_age: z.number().min(0).nullish().describe('Seconds a browser may cache a preflight answer (Access-Control-Max-Age).'),
    preflight_continue: z.boolean().default(false).describe('Proxy preflight requests to the upstream instead of answering them.'),
    private_network: z
      .boolean()
      .default(false)
      .describe('Answer Access-Control-Request-Private-Network: true with Access-Control-Allow-Private-Network: true.'),
    allow_origin_absent: z.boolean().default(true).describe('Also send CORS headers on responses to requests without an Origin header.'),
  }),
);

export type CorsConfig = z.output<typeof configSchema>;
