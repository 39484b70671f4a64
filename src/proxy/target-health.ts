/**
 * Passive health of one upstream target: consecutive connection failures open a short circuit during
 * which balancing skips the target; after it the target is tried again, and one success closes it.
 * Recent failures and the last cause are kept for `/status` and the health metric.
 */

/** Consecutive connection failures that mark a target unhealthy. */
export const UNHEALTHY_AFTER_FAILURES = 3;
/** How long an unhealthy target is skipped before it is tried again. */
export const UNHEALTHY_FOR_MS = 10_000;
/** Window of the `recent_failures` count reported on /status. */
export const RECENT_WINDOW_MS = 60_000;
/** Bound on the failure times kept, so a flapping target costs constant memory. */
const MAX_RECENT_FAILURES = 1_000;

export type HealthState = 'healthy' | 'unhealthy';

export interface HealthReport {
  state: HealthState;
  consecutive_failures: number;
  recent_failures: number;
  last_failure: { cause: string; at: string } | null;
  unhealthy_until: string | null;
}

export class TargetHealth {
  private consecutive = 0;
  private unhealthyUntil = 0;
  /** Epoch ms of failures inside the recent window, oldest first. */
  private failures: number[] = [];
  private lastFailure: { cause: string; at: number } | null = null;

  /** Cheap enough for every pick: one comparison, and no clock read, while healthy. */
  usable(now?: number): boolean {
    return this.unhealthyUntil === 0 || (now ?? Date.now()) >= this.unhealthyUntil;
  }

  state(now: number): HealthState {
    return this.usable(now) ? 'healthy' : 'unhealthy';
  }

  recordSuccess(): void {
    if (this.consecutive === 0 && this.unhealthyUntil === 0) return;
    this.consecutive = 0;
    this.unhealthyUntil = 0;
  }

  recordFailure(cause: string, now: number): void {
    this.consecutive++;
    this.lastFailure = { cause, at: now };
    this.failures.push(now);
    if (this.failures.length > MAX_RECENT_FAILURES) this.failures.shift();
    this.prune(now);
    if (this.consecutive >= UNHEALTHY_AFTER_FAILURES) this.unhealthyUntil = now + UNHEALTHY_FOR_MS;
  }

  report(now: number): HealthReport {
    this.prune(now);
    return {
      state: this.state(now),
      consecutive_failures: this.consecutive,
      recent_failures: this.failures.length,
      last_failure: this.lastFailure ? { cause: this.lastFailure.cause, at: new Date(this.lastFailure.at).toISOString() } : null,
      unhealthy_until: this.usable(now) ? null : new Date(this.unhealthyUntil).toISOString(),
    };
  }

  private prune(now: number): void {
    let drop = 0;
    while (drop < this.failures.length && this.failures[drop]! < now - RECENT_WINDOW_MS) drop++;
    if (drop > 0) this.failures = this.failures.slice(drop);
  }
}
