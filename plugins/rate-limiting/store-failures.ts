/**
 * Counter-store failures (Redis down or slow): counted for a metric and logged at most once per
 * interval with the number of failures since the last line, so an outage cannot flood the log.
 */
import type { Logger } from 'pino';

const LOG_INTERVAL_MS = 10_000;

let failures = 0;

/** Failures since start, for the metrics registry to export (gatehouse_rate_limiting_store_failures_total). */
export function storeFailureCount(): number {
  return failures;
}

export class FailureReporter {
  private lastLogAt = -Infinity;
  private suppressed = 0;

  constructor(
    private readonly logger: Logger,
    private readonly intervalMs = LOG_INTERVAL_MS,
  ) {}

  report(error: unknown, failOpen: boolean): void {
    failures++;
    const now = performance.now();
    if (now - this.lastLogAt < this.intervalMs) {
      this.suppressed++;
      return;
    }
    this.logger.warn(
      { err: error, failures_since_last_log: this.suppressed + 1, fault_tolerant: failOpen },
      failOpen ? 'rate-limiting store unavailable; requests pass unlimited' : 'rate-limiting store unavailable; requests answered 500',
    );
    this.lastLogAt = now;
    this.suppressed = 0;
  }
}
