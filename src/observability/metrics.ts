/**
 * The process's Prometheus registry and the contract's metrics. HTTP metrics are recorded by the
 * prometheus plugin where it is enabled (as in Kong); gateway state (config version, datastore,
 * upstream target health and circuits) is read from the running gateway at scrape time, so it costs nothing per
 * request. Per-request series are fast-metrics (plain additions, rendered at scrape time). Node's process metrics keep their standard names so stock Node.js dashboards work.
 */
import type { Counter, Registry } from 'prom-client';
import { FastCounter, FastHistogram, FastMetricList } from './fast-metrics.js';
import { onFirstUse, promClient } from './prom-client.js';
import type { UpstreamHealth } from '../health/health-registry.js';
import { TARGET_STATES, targetState } from '../health/health-report.js';

interface GatewayMetrics {
  registry: Registry;
  logEntriesDropped: Counter<'plugin'>;
}
let made: GatewayMetrics | undefined;
const gatewayMetrics = (): GatewayMetrics => (made ??= makeGatewayMetrics());

/**
 * The registry /metrics serves (prom-client's), made with the gateway's own metrics when first used:
 * by a scrape, a plugin registering a metric of its own, or a dropped log entry.
 */
export const metricsRegistry: Registry = onFirstUse(() => gatewayMetrics().registry);

/** Log entries a logging plugin dropped (queue full, or its sink failed past the retry time). */
export const logEntriesDropped = (): Counter<'plugin'> => gatewayMetrics().logEntriesDropped;

let processMetricsRegistered = false;
/**
 * Node's process metrics (prom-client's defaults), registered with the first scrape rather than at
 * start: they cost an idle gateway 1.7 MiB and a 10 ms event-loop-delay timer, which a sidecar nobody
 * scrapes then never pays. What they read at scrape time (CPU, memory, handles) covers the whole
 * process; the event-loop-lag and GC-duration histograms count from that first scrape.
 */
export function registerProcessMetrics(): void {
  if (processMetricsRegistered) return;
  processMetricsRegistered = true;
  promClient().collectDefaultMetrics({ register: metricsRegistry });
}
/** The per-request series (fast metrics): rendered directly in one process, gathered by prom-client across workers. */
export const httpMetricsRegistry = new FastMetricList();

/** Milliseconds, from a cache hit to a long poll; Kong's latency buckets with a few more at the top. */
export const LATENCY_BUCKETS_MS = [1, 2, 5, 7, 10, 15, 20, 30, 50, 75, 100, 200, 500, 750, 1000, 2000, 5000, 10_000, 30_000, 60_000, 300_000];

export const httpRequests = new FastCounter(
  'gatehouse_http_requests_total',
  'HTTP requests by service, route and status code (consumer only with per_consumer).',
  ['service', 'route', 'code', 'consumer'],
  httpMetricsRegistry,
);

/** gRPC calls by their grpc-status: their HTTP status is 200 whatever the outcome. */
export const grpcRequests = new FastCounter(
  'gatehouse_grpc_requests_total',
  'gRPC calls by service, route and grpc-status (consumer only with per_consumer).',
  ['service', 'route', 'grpc_status', 'consumer'],
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

/** Milliseconds a WebSocket tunnel stays open: from a refused upgrade's instant to a day-long session. */
export const WEBSOCKET_DURATION_BUCKETS_MS = [10, 100, 1000, 10_000, 60_000, 300_000, 1_800_000, 3_600_000, 14_400_000, 86_400_000];

export const websocketConnections = new FastCounter(
  'gatehouse_websocket_connections_total',
  'WebSocket tunnels closed, by service, route and who closed them (client, upstream, gateway).',
  ['service', 'route', 'closed_by', 'consumer'],
  httpMetricsRegistry,
);

export const websocketDuration = new FastHistogram(
  'gatehouse_websocket_duration_ms',
  'How long WebSocket tunnels were open, from the handshake to the close, in ms.',
  ['service', 'route'],
  WEBSOCKET_DURATION_BUCKETS_MS,
  httpMetricsRegistry,
);

export const websocketBytes = new FastCounter(
  'gatehouse_websocket_bytes',
  'Bytes relayed through WebSocket tunnels (whole frames), by direction: ingress = from clients, egress = to clients.',
  ['service', 'route', 'direction', 'consumer'],
  httpMetricsRegistry,
);

/** What the scrape reads from the running gateway. */
export interface GatewayStateSource {
  configVersion(): number;
  datastoreReachable(): boolean;
  upstreams(): ReadonlyMap<string, UpstreamHealth>;
}

let state: GatewayStateSource | null = null;

/** Connects the gauges to a started gateway; the returned function disconnects them at close. */
export function bindGatewayState(source: GatewayStateSource): () => void {
  state = source;
  return () => {
    if (state === source) state = null;
  };
}

/** The registry with the gateway's own metrics, in the order /metrics has always listed them. */
function makeGatewayMetrics(): GatewayMetrics {
  const { Counter, Gauge, Registry } = promClient();
  const registry = new Registry();
  const registers = [registry];

  const logEntriesDropped = new Counter({
    name: 'gatehouse_log_entries_dropped_total',
    help: 'Log entries a logging plugin dropped (queue full, or its sink failed past the retry time).',
    labelNames: ['plugin'] as const,
    registers,
  });

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

  targetStateGauge(
    registers,
    'gatehouse_upstream_target_health',
    'Health of each upstream target (active and passive checks, as GET /upstreams/{u}/health): 1 for its current state, 0 for the others.',
    TARGET_STATES,
    targetState,
  );

  targetStateGauge(
    registers,
    'gatehouse_upstream_target_circuit',
    'Circuit breaker of each upstream target (driven by the passive checks): 1 for its current state, 0 for the others.',
    ['closed', 'open', 'half_open'],
    (_upstream, target) => target.circuit,
  );

  return { registry, logEntriesDropped };
}

/** A gauge with one series per upstream target and state: 1 for the target's current state, 0 for the others. */
function targetStateGauge(
  registers: Registry[],
  name: string,
  help: string,
  states: readonly string[],
  stateOf: (upstream: UpstreamHealth, target: UpstreamHealth['targets'][number]) => string,
): void {
  new (promClient().Gauge)({
    name,
    help,
    labelNames: ['upstream', 'target', 'state'] as const,
    registers,
    // Across workers: 1 when any worker sees the target in that state.
    aggregator: 'max',
    collect() {
      this.reset();
      if (!state) return;
      for (const [upstreamName, upstream] of state.upstreams()) {
        for (const target of upstream.targets) {
          const current = stateOf(upstream, target);
          for (const s of states) this.set({ upstream: upstreamName, target: target.address, state: s }, s === current ? 1 : 0);
        }
      }
    },
  });
}
