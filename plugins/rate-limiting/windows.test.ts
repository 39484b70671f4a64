/** Unit: the bucket plans on a synthetic clock, counted by the local store — boundary bursts and resets. */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { LocalStore } from './policies/local.js';
import { configSchema } from './schema.js';
import { BUCKETS_PER_WINDOW, bucketPlans, windowSpecs } from './windows.js';

const MINUTE = 60_000;
const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);

describe('bucket plans', () => {
  const store = new LocalStore();
  after(() => store.close());
  const windows = windowSpecs(configSchema.parse({ minute: 10 }));

  function burst(key: string, algorithm: 'sliding-window' | 'fixed-window', at: number, count: number): number {
    let admitted = 0;
    for (let i = 0; i < count; i++) if (store.hit(windows.map((w) => bucketPlans[algorithm].slot(key, w, at))).allowed) admitted++;
    return admitted;
  }

  it('sliding-window: a burst just before and just after a minute boundary shares one budget', () => {
    assert.equal(burst('s1', 'sliding-window', T0 + MINUTE - 100, 10), 10);
    assert.equal(burst('s1', 'sliding-window', T0 + MINUTE + 100, 10), 0);
    // Capacity returns once the first burst's bucket has left the window (at most W/10 late).
    assert.equal(burst('s1', 'sliding-window', T0 + 2 * MINUTE - 100 + MINUTE / BUCKETS_PER_WINDOW, 10), 10);
  });

  it('fixed-window: Kong behaviour, the boundary resets the count', () => {
    assert.equal(burst('f1', 'fixed-window', T0 + MINUTE - 100, 10), 10);
    assert.equal(burst('f1', 'fixed-window', T0 + MINUTE + 100, 10), 10);
  });

  it('reset is the end of the calendar period (fixed) or when the oldest counted bucket leaves (sliding)', () => {
    const [minute] = windows;
    const fixed = bucketPlans['fixed-window'];
    assert.equal(fixed.resetAt(minute!, { count: 1, oldestBucket: 0 }, T0 + 15_000), T0 + MINUTE);
    const month = windowSpecs(configSchema.parse({ month: 10 }))[0]!;
    assert.equal(fixed.resetAt(month, { count: 1, oldestBucket: 0 }, Date.UTC(2030, 1, 10)), Date.UTC(2030, 2, 1));
    const sliding = bucketPlans['sliding-window'];
    const slot = sliding.slot('k', minute!, T0 + 15_000);
    assert.equal(sliding.resetAt(minute!, { count: 1, oldestBucket: slot.bucket }, T0 + 15_000), T0 + 18_000 + MINUTE);
  });
});
