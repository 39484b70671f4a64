/**
 * websocket-size-limit: Kong Enterprise's plugin — a WebSocket message larger than the limit for its
 * sender closes the tunnel with 1009 (message too big) on both sides, before any byte of the frame
 * that crosses it is relayed. It reads frame headers only: payloads stream through untouched, and a
 * route without the plugin keeps its tunnels a plain socket pipe.
 */
import { definePlugin, type WebSocketClose } from '../../src/plugin-kit/index.js';
import { configSchema } from './schema.js';

/** RFC 6455 §7.4.1: a message too big to process. */
const CLOSE_MESSAGE_TOO_BIG = 1009;

function tooBig(sender: string, limit: number): WebSocketClose {
  return { code: CLOSE_MESSAGE_TOO_BIG, reason: `${sender} message over ${limit} bytes` };
}

export default definePlugin({
  name: 'websocket-size-limit',
  priority: 1003,
  version: '1.0.0',
  configSchema,
  instantiate(config) {
    const client = config.client_max_payload ?? Infinity;
    const upstream = config.upstream_max_payload ?? Infinity;
    const fromClient = tooBig('client', client);
    const fromUpstream = tooBig('upstream', upstream);
    return {
      webSocketFrame(_ctx, frame) {
        // Control frames carry at most 125 bytes (RFC 6455 §5.5): only messages are limited, as in Kong.
        if (frame.opcode >= 8) return;
        if (frame.from === 'client') return frame.messageLength > client ? fromClient : undefined;
        return frame.messageLength > upstream ? fromUpstream : undefined;
      },
    };
  },
});
