/**
 * request-size-limiting: Kong's plugin — a Content-Length over the limit is answered 413 before
 * anything reaches the upstream; a body without one (chunked) is measured as it streams and the
 * upstream request is aborted the moment it crosses the limit.
 */
import { definePlugin, Errors, GatewayError } from '../../src/plugin-kit/index.js';
import { configSchema, UNIT_BYTES } from './schema.js';

const DECIMAL = /^\d+$/;

export default definePlugin({
  name: 'request-size-limiting',
  priority: 951,
  version: '1.0.0',
  configSchema,
  instantiate(config) {
    const maxBytes = config.allowed_payload_size * UNIT_BYTES[config.size_unit];
    return {
      access(ctx) {
        const length = ctx.headers['content-length'];
        if (length !== undefined && DECIMAL.test(length)) {
          if (Number(length) > maxBytes) {
            throw new GatewayError(Errors.bodyTooLarge, { cause: `Content-Length ${length} exceeds ${maxBytes} bytes` });
          }
          return;
        }
        const chunked = ctx.headers['transfer-encoding']?.toLowerCase().includes('chunked') ?? false;
        if (config.require_content_length && !chunked) throw new GatewayError(Errors.lengthRequired);
        ctx.limitRequestBody(maxBytes);
      },
    };
  },
});
