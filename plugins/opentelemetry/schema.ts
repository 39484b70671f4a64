/** Config of the opentelemetry plugin: Kong 3.x option names and defaults (traces only). */
import { z } from 'zod';
import { queueSchema } from '../../src/plugin-kit/index.js';

export const DEFAULT_SAMPLING_RATE = 1;
export const DEFAULT_CONNECT_TIMEOUT_MS = 1000;
export const DEFAULT_SEND_TIMEOUT_MS = 5000;
export const DEFAULT_READ_TIMEOUT_MS = 5000;
/** Kong's queue defaults for this plugin (its former batch_span_count / batch_flush_delay). */
export const DEFAULT_BATCH_SPAN_COUNT = 200;
export const DEFAULT_BATCH_FLUSH_DELAY = 3;

export const configSchema = z.lazy(() =>
  z.strictObject({
    traces_endpoint: z
      .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })
      .describe('OTLP/HTTP traces URL, e.g. http://collector:4318/v1/traces; spans are sent as OTLP JSON.'),
    headers: z.record(z.string(), z.string()).default({}).describe('Extra headers sent to the collector (e.g. an API key).'),
    resource_attributes: z
      .record(z.string(), z.string())
      .default({})
      .describe('Resource attributes of every span; service.name defaults to "gatehouse".'),
    sampling_rate: z
      .number()
      .min(0)
      .max(1)
      .nullable()
      .default(DEFAULT_SAMPLING_RATE)
      .describe('Probability that a trace starting at the gateway is sampled; an incoming traceparent\'s sampled flag is always followed. null means 1.'),
    connect_timeout: z.int().min(1).default(DEFAULT_CONNECT_TIMEOUT_MS).describe('Milliseconds to connect to the collector.'),
    send_timeout: z.int().min(1).default(DEFAULT_SEND_TIMEOUT_MS).describe('Accepted for Kong compatibility; a whole export to the collector is bounded by connect_timeout plus read_timeout.'),
    read_timeout: z.int().min(1).default(DEFAULT_READ_TIMEOUT_MS).describe('Milliseconds to wait for the collector\'s answer (with connect_timeout, the bound of a whole export).'),
    batch_span_count: z.int().min(1).optional().describe('Kong\'s older name for queue.max_batch_size; wins over it when set.'),
    batch_flush_delay: z.number().min(0).optional().describe('Kong\'s older name for queue.max_coalescing_delay (seconds); wins over it when set.'),
    header_type: z
      .enum(['preserve', 'ignore', 'b3', 'b3-single', 'w3c', 'jaeger', 'ot', 'aws', 'gcp', 'datadog'])
      .default('preserve')
      .describe('Accepted for Kong compatibility; Gatehouse propagates W3C traceparent/tracestate.'),
    queue: queueSchema({ max_batch_size: DEFAULT_BATCH_SPAN_COUNT, max_coalescing_delay: DEFAULT_BATCH_FLUSH_DELAY }).describe('Batching and retry of spans (Kong\'s queue).'),
  }),
);

export type OpenTelemetryConfig = z.output<typeof configSchema>;
