/** Config of the request-size-limiting plugin (Kong's option names, defaults and units). */
import { z } from 'zod';

export const DEFAULT_ALLOWED_PAYLOAD_SIZE = 128;
export const DEFAULT_SIZE_UNIT = 'megabytes';

/** Kong's units are binary: a kilobyte is 1024 bytes. */
export const UNIT_BYTES = { bytes: 1, kilobytes: 1024, megabytes: 1024 * 1024 } as const;

export const configSchema = z.lazy(() =>
  z.strictObject({
    allowed_payload_size: z.int().min(0).default(DEFAULT_ALLOWED_PAYLOAD_SIZE).describe('Largest request body allowed, in size_unit.'),
    size_unit: z
      .enum(['megabytes', 'kilobytes', 'bytes'])
      .default(DEFAULT_SIZE_UNIT)
      .describe('Unit of allowed_payload_size (1 kilobyte = 1024 bytes).'),
    require_content_length: z
      .boolean()
      .default(false)
      .describe('Answer 411 to requests without a valid Content-Length unless their body is chunked (chunked bodies are measured as they stream).'),
  }),
);

export type RequestSizeLimitingConfig = z.output<typeof configSchema>;
