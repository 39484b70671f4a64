/**
 * prometheus: records request counts by status, latency histograms and bandwidth for the requests it
 * applies to (usually enabled globally, as in Kong; a global instance also counts requests that
 * matched no route, with empty route and service labels). Metrics are served on the admin /metrics.
 */
import type { ConsumerEntity, RouteEntity } from '../../src/config/types.js';
import { definePlugin, type RequestContext } from '../../src/pipeline/contract.js';
import { RouteSeries } from './route-series.js';
import { configSchema } from './schema.js';

function consumerLabel(consumer: ConsumerEntity | null): string {
  return consumer ? consumer.username ?? consumer.custom_id ?? consumer.id : '';
}

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
    const seriesFor = (ctx: RequestContext): RouteSeries => {
      const service = ctx.service ? ctx.service.name ?? ctx.service.id : '';
      const route = ctx.route.name ?? ctx.route.id;
      if (!config.per_consumer) {
        let series = byRoute.get(ctx.route) as RouteSeries | undefined;
        if (!series) byRoute.set(ctx.route, (series = new RouteSeries(service, route, '')));
        return series;
      }
      let perConsumer = byRoute.get(ctx.route) as Map<string, RouteSeries> | undefined;
      if (!perConsumer) byRoute.set(ctx.route, (perConsumer = new Map()));
      const consumer = consumerLabel(ctx.consumer);
      let series = perConsumer.get(consumer);
      if (!series) perConsumer.set(consumer, (series = new RouteSeries(service, route, consumer)));
      return series;
    };
    return {
      log(ctx, summary) {
        const series = seriesFor(ctx);
        if (config.status_code_metrics) series.status(summary.status).inc();
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
