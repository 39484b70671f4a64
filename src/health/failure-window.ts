/**
 * The share of failed requests over the last few seconds, for the circuit breaker's optional
 * `failure_ratio`: one bucket per second in a ring, with running totals, so recording a request is two
 * additions and a comparison rather than a sum over the window.
 */
import type { FailureRatio } from './health-policy.js';

export class FailureWindow {
  private readonly requests: Uint32Array;
  private readonly failures: Uint32Array;
  private totalRequests = 0;
  private totalFailures = 0;
  /** The second (epoch) the newest bucket holds. */
  private newest = 0;

  constructor(private readonly rule: FailureRatio) {
    this.requests = new Uint32Array(rule.windowSeconds);
    this.failures = new Uint32Array(rule.windowSeconds);
  }

  /** Counts one request at `nowMs`; true when the window now holds enough requests and too many failed. */
  record(nowMs: number, failed: boolean): boolean {
    const second = Math.floor(nowMs / 1000);
    if (second !== this.newest) this.advance(second);
    const slot = second % this.requests.length;
    this.requests[slot]!++;
    this.totalRequests++;
    if (!failed) return false;
    this.failures[slot]!++;
    this.totalFailures++;
    return this.totalRequests >= this.rule.minimumRequests && this.totalFailures >= this.rule.ratio * this.totalRequests;
  }

  reset(): void {
    this.requests.fill(0);
    this.failures.fill(0);
    this.totalRequests = 0;
    this.totalFailures = 0;
  }

  /** Empties the buckets of the seconds between the newest one and `second`. */
  private advance(second: number): void {
    const size = this.requests.length;
    const gap = second - this.newest;
    if (gap >= size || gap < 0) this.reset();
    else {
      for (let s = this.newest + 1; s <= second; s++) {
        const slot = s % size;
        this.totalRequests -= this.requests[slot]!;
        this.totalFailures -= this.failures[slot]!;
        this.requests[slot] = 0;
        this.failures[slot] = 0;
      }
    }
    this.newest = second;
  }
}
