/**
 * prometheus: records request counts by status, latency histograms and bandwidth for the requests it
 * applies to (usually enabled globally, as in Kong; a global instance also counts requests that
 * matched no route, with empty route and service labels). A WebSocket tunnel is counted once it closes:
 * its status (101), how long it was open, its bytes each way and who closed it. Metrics are served on
 * the admin /metrics.
 */
import { consumerName, definePlugin, serviceLabel, type Destination, type RequestContext, type RouteEntity } from '../../src/plugin-kit/index.js';
import { RouteSeries } from './route-series.js';
import { configSchema } from './schema.js';

export default definePlugin({
  name: 'prometheus',
  priority: 13,
  version: '1.0.0',
  configSchema,
  instantiate(config) {
    const recordsAnything = config.status_code_metrics || config.latency_metrics || config.bandwidth_metrics;
    if (!recordsAnything) return {};
    // Route entities are per config version, like this instance, so the cache never goes stale.
    const byRoute = new Map<RouteEntity, RouteSeries | Map<string, RouteSeries>>();
    // Requests a plugin sent elsewhere (a canary) count under that destination's label: series apart.
    const byDestination = new Map<Destination, typeof byRoute>();
    const seriesFor = (ctx: RequestContext): RouteSeries => {
      const service = serviceLabel(ctx) ?? '';
      const route = ctx.route.name ?? ctx.route.id;
      let cache = byRoute;
      if (ctx.destination !== null) {
        let forDestination = byDestination.get(ctx.destination);
        if (!forDestination) byDestination.set(ctx.destination, (forDestination = new Map()));
        cache = forDestination;
      }
      if (!config.per_consumer) {
        let series = cache.get(ctx.route) as RouteSeries | undefined;
        if (!series) cache.set(ctx.route, (series = new RouteSeries(service, route, '')));
        return series;
      }
      let perConsumer = cache.get(ctx.route) as Map<string, RouteSeries> | undefined;
      if (!perConsumer) cache.set(ctx.route, (perConsumer = new Map()));
      const consumer = consumerName(ctx.consumer) ?? '';
      let series = perConsumer.get(consumer);
      if (!series) perConsumer.set(consumer, (series = new RouteSeries(service, route, consumer)));
      return series;
    };
    return {
      log(ctx, summary) {
        const series = seriesFor(ctx);
        if (config.status_code_metrics) {
          series.status(summary.status).inc();
          if (summary.grpcStatus !== null) series.grpcStatus(summary.grpcStatus).inc();
        }
        if (summary.websocket) {
          // A tunnel's length and bytes are its own series, not a request's latency and body bytes.
          const websocket = series.websocket;
          websocket.closedBy(summary.websocket.closedBy).inc();
          if (config.latency_metrics) {
            websocket.duration.observe(summary.latency.request);
            series.proxy.observe(summary.latency.proxy);
            if (summary.latency.upstream !== null) series.upstream.observe(summary.latency.upstream);
          }
          if (config.bandwidth_metrics) {
            websocket.ingress.inc(summary.bytesIn);
            websocket.egress.inc(summary.bytesOut);
          }
          return;
        }
        if (config.latency_metrics) {
          series.request.observe(summary.latency.request);
          series.proxy.observe(summary.latency.proxy);
          if (summary.latency.upstream !== null) series.upstream.observe(summary.latency.upstream);
        }
        if (config.bandwidth_metrics) {
          series.ingress.inc(summary.bytesIn);
          series.egress.inc(summary.bytesOut);
        }
      },
    };
  },
});
