/** Config of the correlation-id plugin (Kong's option names and defaults). */
import { z } from 'zod';

export const DEFAULT_HEADER_NAME = 'Kong-Request-ID';
export const DEFAULT_GENERATOR = 'uuid#counter';

export const configSchema = z.lazy(() =>
  z.strictObject({
    header_name: z
      .string()
      .regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'must be a valid header name')
      .default(DEFAULT_HEADER_NAME)
      .describe('Header that carries the request ID on this route: read from the client, forwarded upstream and returned.'),
    generator: z
      .enum(['uuid', 'uuid#counter', 'tracker'])
      .default(DEFAULT_GENERATOR)
      .describe('Format of a new ID: a UUID; a per-process UUID plus a counter; or host-pid-time-counter.'),
    echo_downstream: z
      .boolean()
      .default(false)
      .describe('Accepted for Kong compatibility; Gatehouse always returns the request ID to the client (product contract).'),
  }),
);

export type CorrelationIdConfig = z.output<typeof configSchema>;
