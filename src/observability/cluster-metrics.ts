/**
 * One scrape for all workers: with GATEHOUSE_WORKERS > 1 the admin port is shared, so whichever
 * worker takes the scrape asks the primary, which gathers every worker's registry over IPC
 * (prom-client's AggregatorRegistry: counters and histograms summed, gauges by their aggregator).
 */
import cluster from 'node:cluster';
import { fastMetricsText } from './fast-metrics.js';
import { httpMetricsRegistry, metricsRegistry, registerProcessMetrics } from './metrics.js';
import { promClient } from './prom-client.js';

const REQUEST = 'gatehouse:metrics-request';
const RESPONSE = 'gatehouse:metrics-response';
/** Longer than prom-client's own 5 s gathering timeout, so its error is the one reported. */
const WORKER_TIMEOUT_MS = 6_000;

interface MetricsMessage {
  type?: string;
  id?: number;
  text?: string;
  error?: string;
}

/** In the primary: answers workers' scrape requests with the cluster-wide text. */
export function serveClusterMetrics(): void {
  const aggregator = new (promClient().AggregatorRegistry)();
  cluster.on('message', (worker, message: MetricsMessage) => {
    if (message?.type !== REQUEST) return;
    aggregator.clusterMetrics().then(
      (text) => worker.send({ type: RESPONSE, id: message.id, text }),
      (error: unknown) => worker.send({ type: RESPONSE, id: message.id, error: String(error) }),
    );
  });
}

const pending = new Map<number, { resolve: (text: string) => void; reject: (error: Error) => void }>();
let nextId = 0;
let workerReady = false;

/** In a worker: lets the primary gather this registry, and routes the primary's answers back. */
function joinCluster(): void {
  if (workerReady) return;
  workerReady = true;
  // Any worker may be gathered for a scrape another one took: each has its process metrics from the start.
  registerProcessMetrics();
  const { AggregatorRegistry, Registry } = promClient();
  const httpRegistry = new Registry();
  for (const metric of httpMetricsRegistry.getMetricsAsArray()) httpRegistry.registerMetric(metric);
  AggregatorRegistry.setRegistries([metricsRegistry, httpRegistry]);
  // Constructing one installs prom-client's listener for the primary's gathering requests.
  new AggregatorRegistry();
  process.on('message', (message: MetricsMessage) => {
    if (message?.type !== RESPONSE || message.id === undefined) return;
    const waiter = pending.get(message.id);
    pending.delete(message.id);
    if (message.error !== undefined) waiter?.reject(new Error(message.error));
    else waiter?.resolve(message.text ?? '');
  });
}

/** The Prometheus text of this process, or of the whole cluster when running as a worker. */
export async function metricsText(): Promise<string> {
  if (!cluster.isWorker) {
    registerProcessMetrics();
    return (await metricsRegistry.metrics()) + fastMetricsText(httpMetricsRegistry);
  }
  joinCluster();
  const id = nextId++;
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      pending.delete(id);
      reject(new Error('the primary did not answer the metrics request'));
    }, WORKER_TIMEOUT_MS);
    pending.set(id, {
      resolve: (text) => (clearTimeout(timer), resolve(text)),
      reject: (error) => (clearTimeout(timer), reject(error)),
    });
    process.send!({ type: REQUEST, id });
  });
}

/** Called at worker start so the primary can gather this worker before it ever takes a scrape. */
export function exposeWorkerMetrics(): void {
  if (cluster.isWorker) joinCluster();
}

/** The Content-Type of metricsText()'s answer. */
export const metricsContentType = (): string => metricsRegistry.contentType;
