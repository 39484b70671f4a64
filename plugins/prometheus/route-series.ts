/**
 * The metric series of one route (and consumer), looked up on the route's first request and kept for
 * the plugin instance's config version, so recording a request is a few additions.
 */
import type { CounterSeries, HistogramSeries } from '../../src/observability/fast-metrics.js';
import { bandwidth, httpRequests, proxyLatency, requestLatency, upstreamLatency } from '../../src/observability/metrics.js';

export class RouteSeries {
  private readonly codes = new Map<number, CounterSeries>();
  readonly request: HistogramSeries;
  readonly upstream: HistogramSeries;
  readonly proxy: HistogramSeries;
  readonly ingress: CounterSeries;
  readonly egress: CounterSeries;

  constructor(
    private readonly service: string,
    private readonly route: string,
    private readonly consumer: string,
  ) {
    this.request = requestLatency.series(service, route);
    this.upstream = upstreamLatency.series(service, route);
    this.proxy = proxyLatency.series(service, route);
    this.ingress = bandwidth.series(service, route, 'ingress', consumer);
    this.egress = bandwidth.series(service, route, 'egress', consumer);
  }

  status(code: number): CounterSeries {
    let series = this.codes.get(code);
    if (!series) {
      series = httpRequests.series(this.service, this.route, String(code), this.consumer);
      this.codes.set(code, series);
    }
    return series;
  }
}
