/**
 * Label-bound metric children for one route (and consumer), made on a route's first request and kept
 * for the plugin instance's config version, so recording a request is a few increments with no label
 * hashing.
 */
import type { Counter, Histogram } from 'prom-client';
import { bandwidth, httpRequests, proxyLatency, requestLatency, upstreamLatency } from '../../src/observability/metrics.js';

type CounterChild = ReturnType<Counter<string>['labels']>;
type HistogramChild = ReturnType<Histogram<string>['labels']>;

export class RouteSeries {
  private readonly codes = new Map<number, CounterChild>();
  readonly request: HistogramChild;
  readonly upstream: HistogramChild;
  readonly proxy: HistogramChild;
  readonly ingress: CounterChild;
  readonly egress: CounterChild;

  constructor(
    private readonly service: string,
    private readonly route: string,
    private readonly consumer: string,
  ) {
    this.request = requestLatency.labels(service, route);
    this.upstream = upstreamLatency.labels(service, route);
    this.proxy = proxyLatency.labels(service, route);
    this.ingress = bandwidth.labels(service, route, 'ingress', consumer);
    this.egress = bandwidth.labels(service, route, 'egress', consumer);
  }

  status(code: number): CounterChild {
    let child = this.codes.get(code);
    if (!child) {
      child = httpRequests.labels(this.service, this.route, String(code), this.consumer);
      this.codes.set(code, child);
    }
    return child;
  }
}
