/**
 * A warning that repeats for as long as an outage lasts (a plugin's Redis down: every request fails
 * the same way) logged at most once per interval, with the number of occurrences since the last line,
 * so an outage is visible without flooding the log.
 */
import type { Logger } from 'pino';

const DEFAULT_INTERVAL_MS = 10_000;

export class ThrottledWarning {
  private lastLogAt = -Infinity;
  private suppressed = 0;

  constructor(
    private readonly logger: Logger,
    private readonly intervalMs = DEFAULT_INTERVAL_MS,
  ) {}

  /** Counts one occurrence; logs it (with `failures_since_last_log`) unless one was logged within the interval. */
  warn(fields: Record<string, unknown>, message: string): void {
    const now = performance.now();
    if (now - this.lastLogAt < this.intervalMs) {
      this.suppressed++;
      return;
    }
    this.logger.warn({ ...fields, failures_since_last_log: this.suppressed + 1 }, message);
    this.lastLogAt = now;
    this.suppressed = 0;
  }
}
