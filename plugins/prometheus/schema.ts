/** Config of the prometheus plugin (Kong 3.x option names and defaults). */
import { z } from 'zod';

export const DEFAULT_PER_CONSUMER = false;
export const DEFAULT_STATUS_CODE_METRICS = false;
export const DEFAULT_LATENCY_METRICS = false;
export const DEFAULT_BANDWIDTH_METRICS = false;
export const DEFAULT_UPSTREAM_HEALTH_METRICS = false;

export const configSchema = z.lazy(() =>
  z.strictObject({
    per_consumer: z
      .boolean()
      .default(DEFAULT_PER_CONSUMER)
      .describe('Add the consumer (username, else custom_id, else id) as the `consumer` label of request and bandwidth metrics.'),
    status_code_metrics: z
      .boolean()
      .default(DEFAULT_STATUS_CODE_METRICS)
      .describe('Record gatehouse_http_requests_total{service,route,code}.'),
    latency_metrics: z
      .boolean()
      .default(DEFAULT_LATENCY_METRICS)
      .describe('Record the request, upstream and proxy latency histograms (ms).'),
    bandwidth_metrics: z
      .boolean()
      .default(DEFAULT_BANDWIDTH_METRICS)
      .describe('Record gatehouse_bandwidth_bytes{service,route,direction}.'),
    upstream_health_metrics: z
      .boolean()
      .default(DEFAULT_UPSTREAM_HEALTH_METRICS)
      .describe('Accepted for Kong compatibility; Gatehouse always exports gatehouse_upstream_target_health (read at scrape time, no per-request cost).'),
  }),
);

export type PrometheusConfig = z.output<typeof configSchema>;
