/**
 * Kong's `healthchecks` object of an upstream (active probes and passive observation of proxied
 * traffic), with Kong's field names, bounds and defaults, and intervals and timeouts in seconds that
 * may be fractions. Two defaults differ from Kong on purpose: passive checks are on (3 TCP failures or
 * 3 timeouts in a row take a target out, as Gatehouse always did), and Gatehouse's own
 * `passive.circuit_breaker` block says how long a tripped target rests before one trial request.
 */
import { z } from 'zod';
import { hostnameField } from './fields.js';

export const ACTIVE_CHECK_TYPES = ['http', 'https', 'tcp'] as const;
export const PASSIVE_CHECK_TYPES = ['http', 'https', 'tcp'] as const;

export const DEFAULT_ACTIVE_TIMEOUT_S = 1;
export const DEFAULT_ACTIVE_CONCURRENCY = 10;
export const DEFAULT_HTTP_PATH = '/';
export const DEFAULT_ACTIVE_HEALTHY_STATUSES = [200, 302];
export const DEFAULT_ACTIVE_UNHEALTHY_STATUSES = [429, 404, 500, 501, 502, 503, 504, 505];
export const DEFAULT_PASSIVE_HEALTHY_STATUSES = [200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301, 302, 303, 304, 305, 306, 307, 308];
export const DEFAULT_PASSIVE_UNHEALTHY_STATUSES = [429, 500, 503];
/** Gatehouse's passive defaults (Kong's are 0, off): what "3 connection failures in a row" always meant here. */
export const DEFAULT_PASSIVE_TCP_FAILURES = 3;
export const DEFAULT_PASSIVE_TIMEOUTS = 3;
/** Seconds a tripped circuit stays open before one trial request (the 10 s recovery time Gatehouse always had). */
export const DEFAULT_CIRCUIT_COOLDOWN_S = 10;
export const DEFAULT_FAILURE_RATIO_WINDOW_S = 10;
export const DEFAULT_FAILURE_RATIO_MINIMUM_REQUESTS = 20;

/** Kong's bounds: counters are 0–255 (0 turns that counter off), intervals 0–65535 s (0 = off). */
const counter = (what: string, fallback = 0) => z.int().min(0).max(255).default(fallback).describe(what);
const interval = (what: string) => z.number().min(0).max(65535).default(0).describe(what);
const statuses = (defaults: number[], what: string) => z.array(z.int().min(100).max(999)).default(defaults).describe(what);

const activeHealthy = () =>
  z.strictObject({
    interval: interval('Seconds between probes of a healthy target; 0 stops probing healthy targets.'),
    http_statuses: statuses(DEFAULT_ACTIVE_HEALTHY_STATUSES, 'Probe answers counted as successes.'),
    successes: counter('Successful probes in a row that make an unhealthy target healthy; 0 = never by probes.'),
  });

const activeUnhealthy = () =>
  z.strictObject({
    interval: interval('Seconds between probes of an unhealthy target; 0 stops probing unhealthy targets.'),
    http_statuses: statuses(DEFAULT_ACTIVE_UNHEALTHY_STATUSES, 'Probe answers counted as HTTP failures.'),
    tcp_failures: counter('Probe connection failures in a row that make a target unhealthy; 0 = off.'),
    timeouts: counter('Probe timeouts in a row that make a target unhealthy; 0 = off.'),
    http_failures: counter('Probe answers with an unhealthy status, in a row, that make a target unhealthy; 0 = off.'),
  });

const activeSchema = () =>
  z.strictObject({
    type: z.enum(ACTIVE_CHECK_TYPES).default('http').describe('http or https: a GET of http_path; tcp: a connection only.'),
    timeout: z.number().min(0).max(65535).default(DEFAULT_ACTIVE_TIMEOUT_S).describe('Seconds a probe may take (fractions allowed).'),
    concurrency: z.int().min(1).max(2 ** 31 - 1).default(DEFAULT_ACTIVE_CONCURRENCY).describe('Probes of this upstream run at most this many at a time.'),
    http_path: z.string().regex(/^\//, 'should start with: /').default(DEFAULT_HTTP_PATH).describe('Path requested by http and https probes.'),
    https_sni: hostnameField.optional().describe('Server name sent in the TLS handshake of https probes (default: the target host).'),
    https_verify_certificate: z.boolean().default(true).describe("Verify the target's certificate on https probes."),
    headers: z.record(z.string().min(1), z.array(z.string())).optional().describe('Extra request headers of http and https probes: name → values.'),
    healthy: activeHealthy().prefault({}).describe('When probes make a target healthy, and how often healthy targets are probed.'),
    unhealthy: activeUnhealthy().prefault({}).describe('When probes make a target unhealthy, and how often unhealthy targets are probed.'),
  });

const passiveHealthy = () =>
  z.strictObject({
    http_statuses: statuses(DEFAULT_PASSIVE_HEALTHY_STATUSES, 'Proxied answers counted as successes (a success resets the failure counts).'),
    successes: counter("Kong's passive success count; accepted. A tripped circuit is closed by its one trial request."),
  });

const passiveUnhealthy = () =>
  z.strictObject({
    http_statuses: statuses(DEFAULT_PASSIVE_UNHEALTHY_STATUSES, 'Proxied answers counted as HTTP failures.'),
    tcp_failures: counter('Connection failures (refused, reset, DNS, TLS, invalid answer) in a row that open the circuit; 0 = off.', DEFAULT_PASSIVE_TCP_FAILURES),
    timeouts: counter('Timeouts (connect, read, write) in a row that open the circuit; 0 = off.', DEFAULT_PASSIVE_TIMEOUTS),
    http_failures: counter('Answers with an unhealthy status, in a row, that open the circuit; 0 = off.'),
  });

const circuitBreakerSchema = () =>
  z.strictObject({
    cooldown: z
      .number()
      .min(0.001)
      .max(65535)
      .default(DEFAULT_CIRCUIT_COOLDOWN_S)
      .describe('Seconds an open circuit keeps the target out before one trial request is let through (half-open).'),
    failure_ratio: z
      .number()
      .min(0)
      .max(1)
      .default(0)
      .describe('Also open the circuit when this share of the requests in the window failed (0 = off), e.g. 0.5.'),
    window: z.int().min(1).max(3600).default(DEFAULT_FAILURE_RATIO_WINDOW_S).describe('Seconds of traffic failure_ratio looks at.'),
    minimum_requests: z
      .int()
      .min(1)
      .max(2 ** 31 - 1)
      .default(DEFAULT_FAILURE_RATIO_MINIMUM_REQUESTS)
      .describe('Requests the window must hold before failure_ratio can open the circuit.'),
  });

const passiveSchema = () =>
  z.strictObject({
    type: z.enum(PASSIVE_CHECK_TYPES).default('http').describe('http or https: statuses and connection errors count; tcp: only connection errors and timeouts.'),
    healthy: passiveHealthy().prefault({}).describe('Proxied answers that count as successes.'),
    unhealthy: passiveUnhealthy().prefault({}).describe('Failures of proxied requests, in a row, that open a target\'s circuit.'),
    circuit_breaker: circuitBreakerSchema().prefault({}).describe('Gatehouse: the circuit a passive trip opens, its cool-down and an optional failure ratio.'),
  });

/**
 * Built when a config first has an upstream (a z.lazy): its 40-odd zod schemas held about 0.2 MiB of
 * the heap of every gateway, those whose configs have no upstream included.
 */
export const healthchecksSchema = z.lazy(() =>
  z.strictObject({
    active: activeSchema().prefault({}).describe('Probes sent to each target off the request path (one instance probes when Redis is the store).'),
    passive: passiveSchema().prefault({}).describe('Observation of proxied traffic: the per-target circuit breaker.'),
    threshold: z
      .number()
      .min(0)
      .max(100)
      .default(0)
      .describe('Percentage of the total weight that must be healthy for the upstream to count as healthy (reporting and canary fallback).'),
  }),
);

export type Healthchecks = z.output<typeof healthchecksSchema>;
