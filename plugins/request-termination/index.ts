/**
 * request-termination: Kong's plugin — answers every request of its scope itself (a maintenance
 * page, a retired endpoint, a temporarily blocked consumer), or only those carrying `trigger`, with a
 * status and a JSON message, a raw body, or (`echo`) a copy of the request. Nothing reaches the upstream.
 */
import { definePlugin, headerValue, queryArg, type ShortCircuit } from '../../src/plugin-kit/index.js';
import { echoBody } from './echo.js';
import { configSchema } from './schema.js';

/** Kong's default messages; other statuses get no message unless one is configured. */
const DEFAULT_MESSAGES: Readonly<Record<number, string>> = {
  401: 'Unauthorized',
  404: 'Not found',
  405: 'Method not allowed',
  500: 'An unexpected error occurred',
  502: 'Bad Gateway',
  503: 'Service unavailable',
};

export default definePlugin({
  name: 'request-termination',
  priority: 2,
  version: '1.0.0',
  configSchema,
  instantiate(config) {
    const status = config.status_code;
    const message = config.message ?? DEFAULT_MESSAGES[status];
    const trigger = config.trigger ?? null;
    const triggerHeader = trigger?.toLowerCase() ?? '';
    const raw: ShortCircuit | null = config.body
      ? { status, body: config.body, headers: config.content_type ? { 'content-type': config.content_type } : {} }
      : null;
    return {
      access(ctx) {
        if (trigger !== null && headerValue(ctx.headers, triggerHeader) === undefined && queryArg(ctx.query, trigger) === undefined) return;
        if (config.echo) return { status, body: echoBody(ctx, message) };
        if (raw !== null) return raw;
        // The contract's shape for an answer the gateway makes: the message and the request ID.
        return message === undefined ? { status } : { status, body: { message, request_id: ctx.id } };
      },
    };
  },
});
