/** Config of the websocket-size-limit plugin (Kong Enterprise's option names and bounds). */
import { z } from 'zod';

/** Kong's upper bound for both limits: 32 MiB. */
export const MAX_PAYLOAD_LIMIT = 33_554_432;

const limitField = () => z.int().min(1).max(MAX_PAYLOAD_LIMIT);

export const configSchema = z.lazy(() =>
  z
    .strictObject({
      client_max_payload: limitField().optional().describe('Largest message a client may send, in bytes (its frames\' payloads added up); a larger one closes the connection with 1009.'),
      upstream_max_payload: limitField().optional().describe('Largest message the upstream may send, in bytes; a larger one closes the connection with 1009.'),
    })
    .refine((config) => config.client_max_payload !== undefined || config.upstream_max_payload !== undefined, {
      error: 'at least one of these fields must be set: client_max_payload, upstream_max_payload',
    }),
);

export type WebSocketSizeLimitConfig = z.output<typeof configSchema>;
