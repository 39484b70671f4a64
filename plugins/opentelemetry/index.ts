/**
 * opentelemetry: exports a SERVER span for each request and a CLIENT child span for its upstream call
 * over OTLP/HTTP JSON. The trace continues the incoming traceparent, and the upstream receives the
 * CLIENT span as its parent, so traces run through the gateway unbroken.
 */
import { BatchQueue, consumerName, definePlugin, keepAliveAgent, newSpanId, sendBody, type RequestContext } from '../../src/plugin-kit/index.js';
import { attributes, exportRequest, SPAN_KIND_CLIENT, SPAN_KIND_SERVER, type Span } from './otlp.js';
import { configSchema } from './schema.js';

const NAME = 'opentelemetry';
const VERSION = '1.0.0';
/** How long an idle connection to the collector is kept. */
const IDLE_CONNECTION_MS = 4_000;

interface TraceState {
  sampled: boolean;
  /** The CLIENT span's id, sent upstream as the parent. */
  clientSpanId: string;
}

function flagsWith(flags: string, sampled: boolean): string {
  const bits = (parseInt(flags, 16) & ~1) | (sampled ? 1 : 0);
  return bits.toString(16).padStart(2, '0');
}

export default definePlugin({
  name: NAME,
  priority: 14,
  version: VERSION,
  configSchema,
  instantiate(config, { logger }) {
    const rate = config.sampling_rate ?? 1;
    const queueOptions = {
      ...config.queue,
      max_batch_size: config.batch_span_count ?? config.queue.max_batch_size,
      max_coalescing_delay: config.batch_flush_delay ?? config.queue.max_coalescing_delay,
    };
    const resource = attributes({ 'service.name': 'gatehouse', ...config.resource_attributes });
    const agent = keepAliveAgent(config.traces_endpoint, IDLE_CONNECTION_MS);
    const headers = { ...config.headers, 'content-type': 'application/json' };
    const queue = new BatchQueue<Span>(
      NAME,
      queueOptions,
      async (spans) => {
        const status = await sendBody(config.traces_endpoint, {
          agent,
          method: 'POST',
          headers,
          body: exportRequest(resource, { name: 'gatehouse', version: VERSION }, spans),
          connectTimeoutMs: config.connect_timeout,
          timeoutMs: config.connect_timeout + config.read_timeout,
        });
        if (status >= 300) throw new Error(`${config.traces_endpoint} answered ${status}`);
      },
      logger,
    );

    /** Parent-based: an incoming trace keeps its sampling decision; a new one is sampled at `rate`. */
    const decide = (ctx: RequestContext): TraceState => {
      const sampled = ctx.trace.parentSpanId !== null ? (parseInt(ctx.trace.flags, 16) & 1) === 1 : Math.random() < rate;
      return { sampled, clientSpanId: sampled ? newSpanId() : ctx.trace.spanId };
    };

    return {
      access(ctx) {
        const state = decide(ctx);
        ctx.vars[NAME] = state;
        ctx.setUpstreamHeader('traceparent', `00-${ctx.traceId}-${state.clientSpanId}-${flagsWith(ctx.trace.flags, state.sampled)}`);
      },
      log(ctx, summary) {
        const state = (ctx.vars[NAME] as TraceState | undefined) ?? decide(ctx);
        if (!state.sampled) return;
        const route = ctx.route.name ?? (ctx.route.id || null);
        const service = ctx.service ? ctx.service.name ?? ctx.service.id : null;
        const error = summary.status >= 500;
        queue.add({
          traceId: ctx.traceId,
          spanId: ctx.trace.spanId,
          parentSpanId: ctx.trace.parentSpanId,
          name: route ? `${ctx.method} ${route}` : ctx.method,
          kind: SPAN_KIND_SERVER,
          start: summary.time.start,
          end: summary.time.end,
          attributes: {
            'http.request.method': ctx.method,
            'http.response.status_code': summary.status,
            'url.path': ctx.path,
            'server.address': ctx.host,
            'client.address': ctx.clientIp,
            'gatehouse.route': route,
            'gatehouse.service': service,
            'gatehouse.request_id': ctx.id,
            'gatehouse.consumer': consumerName(ctx.consumer),
            'error.type': summary.error,
          },
          error,
        });
        if (summary.upstream === null || summary.time.upstreamStart === null) return;
        queue.add({
          traceId: ctx.traceId,
          spanId: state.clientSpanId,
          parentSpanId: ctx.trace.spanId,
          name: `${ctx.method} ${service ?? summary.upstream}`,
          kind: SPAN_KIND_CLIENT,
          start: summary.time.upstreamStart,
          end: summary.time.end,
          attributes: {
            'http.request.method': ctx.method,
            'http.response.status_code': summary.error === null ? summary.status : null,
            'server.address': summary.upstream,
            'gatehouse.route': route,
            'gatehouse.service': service,
            'gatehouse.request_id': ctx.id,
            'error.type': summary.cause,
          },
          error,
        });
      },
      // Returned, so a stopping gateway waits for the queue to flush.
      close() {
        return queue
          .close()
          .then(() => agent.destroy())
          .catch(() => undefined);
      },
    };
  },
});
