/**
 * The process's Prometheus registry and the contract's metrics. HTTP metrics are recorded by the
 * prometheus plugin where it is enabled (as in Kong); gateway state (config version, datastore,
 * upstream target health) is read from the running gateway at scrape time, so it costs nothing per
 * request. Per-request series are fast-metrics (plain additions, rendered at scrape time). Node's process metrics keep their standard names so stock Node.js dashboards work.
 */
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { FastCounter, FastHistogram } from './fast-metrics.js';
import type { Balancer } from '../proxy/balancer.js';

export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry });
/** The per-request series (fast metrics): rendered directly in one process, gathered by prom-client across workers. */
export const httpMetricsRegistry = new Registry();

/** Milliseconds, from a cache hit to a long poll; Kong's latency buckets with a few more at the top. */
export const LATENCY_BUCKETS_MS = [1, 2, 5, 7, 10, 15, 20, 30, 50, 75, 100, 200, 500, 750, 1000, 2000, 5000, 10_000, 30_000, 60_000, 300_000];

const registers = [metricsRegistry];

export const httpRequests = new FastCounter(
  'gatehouse_http_requests_total',
  'HTTP requests by service, route and status code (consumer only with per_consumer).',
  ['service', 'route', 'code', 'consumer'],
  httpMetricsRegistry,
);

const latencyHistogram = (name: string, help: string) => new FastHistogram(name, help, ['service', 'route'], LATENCY_BUCKETS_MS, httpMetricsRegistry);

export const requestLatency = latencyHistogram('gatehouse_request_latency_ms', 'Whole request latency as seen by the gateway, in ms.');
export const upstreamLatency = latencyHistogram('gatehouse_upstream_latency_ms', 'From sending the request upstream to its response headers, in ms.');
export const proxyLatency = latencyHistogram('gatehouse_proxy_latency_ms', 'Time spent in the gateway before the upstream call (routing, plugins), in ms.');

export const bandwidth = new FastCounter(
  'gatehouse_bandwidth_bytes',
  'Body bytes by service, route and direction (ingress = from clients, egress = to clients).',
  ['service', 'route', 'direction', 'consumer'],
  httpMetricsRegistry,
);

export const logEntriesDropped = new Counter({
  name: 'gatehouse_log_entries_dropped_total',
  help: 'Log entries a logging plugin dropped (queue full, or its sink failed past the retry time).',
  labelNames: ['plugin'] as const,
  registers,
});

export const rateLimitStoreFailures = new Counter({
  name: 'gatehouse_rate_limiting_store_failures_total',
  help: 'Rate-limiting store (Redis) calls that failed or timed out: the request passed unlimited (fault_tolerant) or got a 500.',
  registers,
});

/** What the scrape reads from the running gateway. */
export interface GatewayStateSource {
  configVersion(): number;
  datastoreReachable(): boolean;
  upstreams(): ReadonlyMap<string, Balancer>;
}

let state: GatewayStateSource | null = null;

/** Connects the gauges to a started gateway; the returned function disconnects them at close. */
export function bindGatewayState(source: GatewayStateSource): () => void {
  state = source;
  return () => {
    if (state === source) state = null;
  };
}

new Gauge({
  name: 'gatehouse_config_version',
  help: 'The config version being served.',
  registers,
  aggregator: 'max',
  collect() {
    if (state) this.set(state.configVersion());
  },
});

new Gauge({
  name: 'gatehouse_datastore_reachable',
  help: '1 when the config store can be reached (always 1 for the file store), else 0.',
  registers,
  aggregator: 'min',
  collect() {
    if (state) this.set(state.datastoreReachable() ? 1 : 0);
  },
});

const HEALTH_STATES = ['healthy', 'unhealthy'] as const;

new Gauge({
  name: 'gatehouse_upstream_target_health',
  help: 'Passive health of each upstream target: 1 for its current state, 0 for the others.',
  labelNames: ['upstream', 'target', 'state'] as const,
  registers,
  // Across workers: 1 when any worker sees the target in that state.
  aggregator: 'max',
  collect() {
    this.reset();
    if (!state) return;
    const now = Date.now();
    for (const [upstream, balancer] of state.upstreams()) {
      for (const target of balancer.targets) {
        const current = target.health?.state(now) ?? 'healthy';
        for (const s of HEALTH_STATES) this.set({ upstream, target: target.address, state: s }, s === current ? 1 : 0);
      }
    }
  },
});
