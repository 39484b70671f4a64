/**
 * The verdict for one request from its windows' usage: Kong's X-RateLimit-*-<Window> and
 * RateLimit-* headers, and when a limit is exceeded, the seconds until the request would pass.
 */
import type { BucketPlan, WindowSpec, WindowUsage } from './windows.js';

export interface Verdict {
  /** Flat [name, value, …] of the rate-limit headers. */
  headers: string[];
  /** Seconds for RateLimit-Reset / Retry-After. */
  reset: number;
}

export function verdict(windows: readonly WindowSpec[], usage: readonly WindowUsage[], allowed: boolean, plan: BucketPlan, now: number): Verdict {
  const headers: string[] = [];
  // The window that decides: the one with the least left (an exceeded one, the latest to free up, when refused).
  let stop = 0;
  let stopRemaining = Infinity;
  let stopReset = 0;
  for (let i = 0; i < windows.length; i++) {
    const window = windows[i]!;
    const remaining = Math.max(0, window.limit - usage[i]!.count);
    headers.push(window.limitHeader, String(window.limit), window.remainingHeader, String(remaining));
    const exceeded = !allowed && usage[i]!.count + 1 > window.limit;
    const reset = Math.max(1, Math.ceil((plan.resetAt(window, usage[i]!, now) - now) / 1000));
    if (allowed ? remaining < stopRemaining : exceeded && reset > stopReset) {
      stop = i;
      stopRemaining = remaining;
      stopReset = reset;
    }
  }
  const window = windows[stop]!;
  headers.push('ratelimit-limit', String(window.limit), 'ratelimit-remaining', String(Math.max(0, window.limit - usage[stop]!.count)), 'ratelimit-reset', String(stopReset));
  return { headers, reset: stopReset };
}
