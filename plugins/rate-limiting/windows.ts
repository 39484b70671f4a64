/**
 * The counting windows of one plugin instance, and where a request falls in each: the buckets a store
 * increments and sums. Both algorithms are bucketed counters, so every store implements one operation.
 *
 * sliding-window: each window of W ms is cut into BUCKETS_PER_WINDOW buckets; a request is checked
 * against the sum of every bucket that overlaps the last W ms. That sum covers every request of the
 * true sliding window, so no span of W ms ever admits more than the limit (no double burst across a
 * boundary); the price is that a request keeps counting until its whole bucket has left the window,
 * i.e. for at most W/BUCKETS_PER_WINDOW longer than strictly needed.
 * fixed-window: Kong's calendar periods (UTC second, minute, hour, day, month, year), one bucket each.
 */
import { WINDOW_NAMES, type RateLimitingConfig, type WindowName } from './schema.js';

export const BUCKETS_PER_WINDOW = 10;

/** Sliding windows use fixed lengths; month and year are 30 and 365 days (Kong's expirations). */
const WINDOW_MS: Record<WindowName, number> = {
  second: 1_000,
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
  month: 30 * 86_400_000,
  year: 365 * 86_400_000,
};

export interface WindowSpec {
  name: WindowName;
  /** "Minute" in the X-RateLimit-*-Minute headers. */
  title: string;
  limit: number;
  /** The limit as sent in the headers, rendered once. */
  limitValue: string;
  /** Lower-case header names, built once. */
  limitHeader: string;
  remainingHeader: string;
}

/** Where one request falls in one window: the bucket to increment and the oldest bucket still counted. */
export interface WindowSlot {
  /** Store key of this window's buckets (identity and window included). */
  key: string;
  bucket: number;
  oldest: number;
  limit: number;
  /** How long the store must keep the key after this request. */
  ttlMs: number;
  /** The request's time (epoch ms) the slot was taken at. */
  at: number;
}

/** What the store saw in a window after the request: the counted sum and its oldest non-empty bucket. */
export interface WindowUsage {
  count: number;
  oldestBucket: number;
}

export function windowSpecs(config: RateLimitingConfig): WindowSpec[] {
  return WINDOW_NAMES.filter((name) => config[name] != null).map((name) => {
    const title = name[0]!.toUpperCase() + name.slice(1);
    return {
      name,
      title,
      limit: config[name]!,
      limitValue: String(config[name]!),
      limitHeader: `x-ratelimit-limit-${name}`,
      remainingHeader: `x-ratelimit-remaining-${name}`,
    };
  });
}

/** Places requests in buckets for one algorithm: slots for a request, and when a window frees up. */
export interface BucketPlan {
  slot(key: string, window: WindowSpec, now: number): WindowSlot;
  /** Epoch ms at which the window's usage drops (the oldest counted bucket leaves, or the period ends). */
  resetAt(window: WindowSpec, usage: WindowUsage, now: number): number;
}

const sliding: BucketPlan = {
  slot(key, window, now) {
    const length = WINDOW_MS[window.name];
    const bucketMs = length / BUCKETS_PER_WINDOW;
    const bucket = Math.floor(now / bucketMs);
    return { key, bucket, oldest: bucket - BUCKETS_PER_WINDOW, limit: window.limit, ttlMs: length + bucketMs, at: now };
  },
  resetAt(window, usage) {
    const length = WINDOW_MS[window.name];
    return (usage.oldestBucket + 1) * (length / BUCKETS_PER_WINDOW) + length;
  },
};

/** Start and end (epoch ms) of the UTC calendar period holding `now`. */
function period(name: WindowName, now: number): [number, number] {
  if (name === 'month' || name === 'year') {
    const date = new Date(now);
    const year = date.getUTCFullYear();
    const month = name === 'month' ? date.getUTCMonth() : 0;
    const start = Date.UTC(year, month, 1);
    return [start, name === 'month' ? Date.UTC(year, month + 1, 1) : Date.UTC(year + 1, 0, 1)];
  }
  const length = WINDOW_MS[name];
  const start = now - (now % length);
  return [start, start + length];
}

const fixed: BucketPlan = {
  slot(key, window, now) {
    const [start, end] = period(window.name, now);
    return { key, bucket: start, oldest: start, limit: window.limit, ttlMs: end - now + 1_000, at: now };
  },
  resetAt(window, _usage, now) {
    return period(window.name, now)[1];
  },
};

export const bucketPlans: Record<RateLimitingConfig['algorithm'], BucketPlan> = {
  'sliding-window': sliding,
  'fixed-window': fixed,
};
