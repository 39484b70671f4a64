/**
 * The verdict for one request from its windows' usage: Kong's X-RateLimit-*-<Window> and
 * RateLimit-* headers, and when a limit is exceeded, the seconds until the request would pass.
 */
import type { RequestContext } from '../../src/plugin-kit/index.js';
import type { BucketPlan, WindowSpec, WindowUsage } from './windows.js';

function secondsUntilReset(plan: BucketPlan, window: WindowSpec, usage: WindowUsage, now: number): number {
  return Math.max(1, Math.ceil((plan.resetAt(window, usage, now) - now) / 1000));
}

/**
 * Sets the rate-limit headers on `ctx` (none when null: hide_client_headers) and returns the seconds
 * for RateLimit-Reset / Retry-After.
 */
export function applyVerdict(
  ctx: RequestContext | null,
  windows: readonly WindowSpec[],
  usage: readonly WindowUsage[],
  allowed: boolean,
  plan: BucketPlan,
  now: number,
): number {
  // The window that decides: the one with the least left (an exceeded one, the latest to free up, when refused).
  let stop = 0;
  let stopRemaining = Infinity;
  let stopReset = 0;
  for (let i = 0; i < windows.length; i++) {
    const window = windows[i]!;
    const remaining = Math.max(0, window.limit - usage[i]!.count);
    ctx?.setResponseHeader(window.limitHeader, window.limitValue);
    ctx?.setResponseHeader(window.remainingHeader, String(remaining));
    if (allowed) {
      if (remaining < stopRemaining) {
        stop = i;
        stopRemaining = remaining;
      }
    } else if (usage[i]!.count + 1 > window.limit) {
      const reset = secondsUntilReset(plan, window, usage[i]!, now);
      if (reset > stopReset) {
        stop = i;
        stopReset = reset;
      }
    }
  }
  if (allowed) stopReset = secondsUntilReset(plan, windows[stop]!, usage[stop]!, now);
  if (ctx !== null) {
    const window = windows[stop]!;
    ctx.setResponseHeader('ratelimit-limit', window.limitValue);
    ctx.setResponseHeader('ratelimit-remaining', String(Math.max(0, window.limit - usage[stop]!.count)));
    ctx.setResponseHeader('ratelimit-reset', String(stopReset));
  }
  return stopReset;
}
