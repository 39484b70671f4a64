/**
 * What the logging plugins (http-log, file-log) share: their body and redaction options, and the
 * handlers that build one entry per request — the contract's access-log fields plus redacted
 * request/response headers and, with log_bodies, the bodies — and hand it to the plugin's sink.
 */
import { z } from 'zod';
import type { PluginHandlers, RequestContext } from '../pipeline/contract.js';
import { BodyCapture } from './body-capture.js';
import { logFields, serviceLabel } from './log-entry.js';
import { headerRedactor } from './redact.js';

export const DEFAULT_LOG_BODIES = false;
export const DEFAULT_MAX_BODY_BYTES = 65_536;

/** Gatehouse's options for body logging and redaction (PRODUCT.md), shared by the logging plugins. */
export const bodyLogOptions = {
  log_bodies: z
    .boolean()
    .default(DEFAULT_LOG_BODIES)
    .describe('Log the request and response bodies (UTF-8 text for textual content types, base64 otherwise).'),
  max_body_bytes: z
    .int()
    .min(0)
    .default(DEFAULT_MAX_BODY_BYTES)
    .describe('Bodies up to this many bytes are logged whole; a longer one is cut here, with body_truncated: true and its full body_length.'),
  redact_headers: z
    .array(z.string().min(1))
    .default([])
    .describe('Extra header names whose values are replaced by "[redacted]"; authorization, proxy-authorization, cookie, set-cookie, x-api-key and apikey always are.'),
};

export interface BodyLogConfig {
  log_bodies: boolean;
  max_body_bytes: number;
  redact_headers: string[];
}

interface RequestState {
  responseHeaders: Record<string, string | string[]>;
  responseType: string | undefined;
  requestBody: BodyCapture | null;
  responseBody: BodyCapture | null;
}

function contentType(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

export function logPluginHandlers(name: string, config: BodyLogConfig, emit: (entry: Record<string, unknown>) => void): PluginHandlers {
  const redact = headerRedactor(config.redact_headers);
  const stateOf = (ctx: RequestContext): RequestState =>
    ((ctx.vars[name] as RequestState | undefined) ??= { responseHeaders: {}, responseType: undefined, requestBody: null, responseBody: null });
  const empty = new BodyCapture(0);

  const handlers: PluginHandlers = {
    response(ctx, head) {
      const state = stateOf(ctx);
      state.responseHeaders = redact(head.headers);
      state.responseType = contentType(head.headers['content-type']);
    },
    log(ctx, summary) {
      const state = ctx.vars[name] as RequestState | undefined;
      const entry = logFields(
        {
          requestId: ctx.id,
          traceId: ctx.traceId,
          method: ctx.method,
          host: ctx.host,
          path: ctx.path,
          route: ctx.route.name ?? (ctx.route.id || null),
          service: serviceLabel(ctx),
          consumer: ctx.consumer,
          clientIp: ctx.clientIp,
        },
        summary,
      );
      entry.started_at = new Date(summary.time.start).toISOString();
      const request: Record<string, unknown> = { headers: redact(ctx.headers) };
      const response: Record<string, unknown> = { headers: state?.responseHeaders ?? {} };
      if (config.log_bodies) {
        Object.assign(request, (state?.requestBody ?? empty).render(contentType(ctx.headers['content-type'])));
        Object.assign(response, (state?.responseBody ?? empty).render(state?.responseType));
      }
      entry.request = request;
      entry.response = response;
      emit(entry);
    },
  };
  if (config.log_bodies) {
    handlers.requestBody = (ctx, chunk) => (stateOf(ctx).requestBody ??= new BodyCapture(config.max_body_bytes)).add(chunk);
    handlers.responseBody = (ctx, chunk) => (stateOf(ctx).responseBody ??= new BodyCapture(config.max_body_bytes)).add(chunk);
  }
  return handlers;
}
