/**
 * An upstream's `healthchecks` made ready for use: status lookup tables (one array read per proxied
 * answer instead of a list search), thresholds and times in milliseconds. Built when an upstream's
 * healthchecks change (not on every config version) and shared by the upstream's targets.
 */
import type { Healthchecks } from '../config/healthcheck-schema.js';

/** What an HTTP status counts as. */
export const NEITHER = 0;
export const SUCCESS = 1;
export const HTTP_FAILURE = 2;

/** Statuses are 100–999 in Kong's schema; the table is indexed by the status itself. */
const STATUS_TABLE_SIZE = 1000;

function statusTable(successes: readonly number[], failures: readonly number[], everyAnswerSucceeds: boolean): Uint8Array {
  const table = new Uint8Array(STATUS_TABLE_SIZE);
  if (everyAnswerSucceeds) return table.fill(SUCCESS);
  for (const status of successes) table[status] = SUCCESS;
  // A status listed as both counts as a failure: the safer reading of a contradictory list.
  for (const status of failures) table[status] = HTTP_FAILURE;
  return table;
}

export interface FailureThresholds {
  /** Failures of each kind in a row that trip; 0 = that kind never trips. */
  tcpFailures: number;
  timeouts: number;
  httpFailures: number;
}

export interface ActiveProbing {
  type: 'http' | 'https' | 'tcp';
  timeoutMs: number;
  concurrency: number;
  httpPath: string;
  httpsSni: string | undefined;
  verifyCertificate: boolean;
  headers: Record<string, string[]>;
  /** 0 = targets in that state are not probed. */
  healthyIntervalMs: number;
  unhealthyIntervalMs: number;
  /** Successful probes in a row that make a target healthy; 0 = never by probes. */
  successes: number;
  unhealthy: FailureThresholds;
  statuses: Uint8Array;
}

export interface FailureRatio {
  ratio: number;
  windowSeconds: number;
  minimumRequests: number;
}

export class HealthPolicy {
  /** The healthchecks object it was built from, as JSON: equal keys mean an equal policy. */
  readonly key: string;
  /** null when neither interval is set: no probes at all. */
  readonly active: ActiveProbing | null;
  readonly passiveStatuses: Uint8Array;
  readonly passive: FailureThresholds;
  readonly cooldownMs: number;
  readonly failureRatio: FailureRatio | null;
  /** Any passive rule can trip the circuit. */
  readonly passiveEnabled: boolean;
  /** Percent of the total weight that must be healthy for the upstream to count as healthy. */
  readonly threshold: number;

  constructor(healthchecks: Healthchecks) {
    this.key = JSON.stringify(healthchecks);
    const { active, passive } = healthchecks;
    const probing = active.healthy.interval > 0 || active.unhealthy.interval > 0;
    this.active = probing
      ? {
          type: active.type,
          timeoutMs: active.timeout * 1000,
          concurrency: active.concurrency,
          httpPath: active.http_path,
          httpsSni: active.https_sni,
          verifyCertificate: active.https_verify_certificate,
          headers: active.headers ?? {},
          healthyIntervalMs: active.healthy.interval * 1000,
          unhealthyIntervalMs: active.unhealthy.interval * 1000,
          successes: active.healthy.successes,
          unhealthy: { tcpFailures: active.unhealthy.tcp_failures, timeouts: active.unhealthy.timeouts, httpFailures: active.unhealthy.http_failures },
          statuses: statusTable(active.healthy.http_statuses, active.unhealthy.http_statuses, false),
        }
      : null;
    this.passiveStatuses = statusTable(passive.healthy.http_statuses, passive.unhealthy.http_statuses, passive.type === 'tcp');
    this.passive = { tcpFailures: passive.unhealthy.tcp_failures, timeouts: passive.unhealthy.timeouts, httpFailures: passive.unhealthy.http_failures };
    this.cooldownMs = passive.circuit_breaker.cooldown * 1000;
    const breaker = passive.circuit_breaker;
    this.failureRatio = breaker.failure_ratio > 0 ? { ratio: breaker.failure_ratio, windowSeconds: breaker.window, minimumRequests: breaker.minimum_requests } : null;
    this.passiveEnabled = this.passive.tcpFailures > 0 || this.passive.timeouts > 0 || this.passive.httpFailures > 0 || this.failureRatio !== null;
    this.threshold = healthchecks.threshold;
  }

  /** Kong's HEALTHCHECKS_OFF: nothing can ever mark a target unhealthy but an admin call. */
  get checksOff(): boolean {
    return this.active === null && !this.passiveEnabled;
  }
}
