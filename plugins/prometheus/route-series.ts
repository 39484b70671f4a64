/**
 * The metric series of one route (and consumer), looked up on the route's first request and kept for
 * the plugin instance's config version, so recording a request is a few additions.
 */
import {
  bandwidth,
  type CounterSeries,
  grpcRequests,
  type HistogramSeries,
  httpRequests,
  proxyLatency,
  requestLatency,
  upstreamLatency,
  websocketBytes,
  websocketConnections,
  websocketDuration,
} from '../../src/plugin-kit/index.js';

/** A route's WebSocket series, made with its first tunnel. */
export class WebSocketSeries {
  private readonly closed = new Map<string, CounterSeries>();
  readonly duration: HistogramSeries;
  readonly ingress: CounterSeries;
  readonly egress: CounterSeries;

  constructor(
    private readonly service: string,
    private readonly route: string,
    private readonly consumer: string,
  ) {
    this.duration = websocketDuration.series(service, route);
    this.ingress = websocketBytes.series(service, route, 'ingress', consumer);
    this.egress = websocketBytes.series(service, route, 'egress', consumer);
  }

  closedBy(side: string): CounterSeries {
    let series = this.closed.get(side);
    if (!series) this.closed.set(side, (series = websocketConnections.series(this.service, this.route, side, this.consumer)));
    return series;
  }
}

export class RouteSeries {
  private readonly codes = new Map<number, CounterSeries>();
  private readonly grpcCodes = new Map<number, CounterSeries>();
  readonly request: HistogramSeries;
  readonly upstream: HistogramSeries;
  readonly proxy: HistogramSeries;
  readonly ingress: CounterSeries;
  readonly egress: CounterSeries;
  private websocketSeries: WebSocketSeries | null = null;

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

  get websocket(): WebSocketSeries {
    return (this.websocketSeries ??= new WebSocketSeries(this.service, this.route, this.consumer));
  }

  status(code: number): CounterSeries {
    let series = this.codes.get(code);
    if (!series) {
      series = httpRequests.series(this.service, this.route, String(code), this.consumer);
      this.codes.set(code, series);
    }
    return series;
  }

  grpcStatus(code: number): CounterSeries {
    let series = this.grpcCodes.get(code);
    if (!series) {
      series = grpcRequests.series(this.service, this.route, String(code), this.consumer);
      this.grpcCodes.set(code, series);
    }
    return series;
  }
}
