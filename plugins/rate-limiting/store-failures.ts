/**
 * Counter-store failures (Redis down or slow): counted in gatehouse_rate_limiting_store_failures_total
 * and logged at most once per interval with the number of failures since the last line, so an outage
 * cannot flood the log.
 */
import type { Logger } from 'pino';
import { rateLimitStoreFailures } from '../../src/observability/metrics.js';

const LOG_INTERVAL_MS = 10_000;

export class FailureReporter {
  private lastLogAt = -Infinity;
  private suppressed = 0;

  constructor(
    private readonly logger: Logger,
    private readonly intervalMs = LOG_INTERVAL_MS,
  ) {}

  report(error: unknown, failOpen: boolean): void {
    rateLimitStoreFailures.inc();
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
