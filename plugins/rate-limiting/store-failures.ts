/**
 * Counter-store failures (Redis down or slow): counted in gatehouse_rate_limiting_store_failures_total
 * and logged at most once per interval with the number of failures since the last line, so an outage
 * cannot flood the log.
 */
import { Counter, metricsRegistry, ThrottledWarning, type Logger } from '../../src/plugin-kit/index.js';

const storeFailures = new Counter({
  name: 'gatehouse_rate_limiting_store_failures_total',
  help: 'Rate-limiting store (Redis) calls that failed or timed out: the request passed unlimited (fault_tolerant) or got a 500.',
  registers: [metricsRegistry],
});

export class FailureReporter {
  private readonly warning: ThrottledWarning;

  constructor(logger: Logger, intervalMs?: number) {
    this.warning = new ThrottledWarning(logger, intervalMs);
  }

  report(error: unknown, failOpen: boolean): void {
    storeFailures.inc();
    this.warning.warn(
      { err: error, fault_tolerant: failOpen },
      failOpen ? 'rate-limiting store unavailable; requests pass unlimited' : 'rate-limiting store unavailable; requests answered 500',
    );
  }
}
