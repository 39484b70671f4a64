/** Unit: the canary's share of buckets, fixed or growing on a timed rollout, and users only ever moving to the canary. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hash32 } from '../../src/plugin-kit/index.js';
import { Rollout } from './rollout.js';
import type { CanaryConfig } from './schema.js';

const config = (fields: Partial<CanaryConfig>): CanaryConfig => ({ duration: 3600, steps: 1000, hash: 'consumer', upstream_fallback: false, upstream_port: 81, ...fields });

describe('canary rollout', () => {
  it('gives a fixed percentage of the buckets at any time', () => {
    const rollout = new Rollout(config({ percentage: 25, steps: 100 }));
    assert.equal(rollout.canaryBuckets(() => 0), 25);
    assert.equal(rollout.canaryBuckets(), 25);
    assert.equal(new Rollout(config({ percentage: 0.05 })).canaryBuckets(), 0.5);
  });

  it('moves one bucket per duration/steps from the start, to all of them at the end', () => {
    const start = 1_000_000;
    const rollout = new Rollout(config({ start, duration: 10, steps: 5 }));
    const at = (seconds: number) => rollout.canaryBuckets(() => (start + seconds) * 1000);
    assert.deepEqual([at(-1), at(0), at(1.99), at(2), at(5), at(9.99), at(10), at(3600)], [0, 0, 0, 1, 2, 4, 5, 5]);
    assert.equal(new Rollout(config({ start, duration: 0, steps: 5 })).canaryBuckets(() => start * 1000), 5, 'no duration: everything at the start');
  });

  it('only ever moves a user from the old side to the new, and keeps each on one side while the share holds', () => {
    const start = 2_000_000;
    const steps = 50;
    const rollout = new Rollout(config({ start, duration: 50, steps }));
    const users = Array.from({ length: 200 }, (_, i) => `consumer-${i}`);
    const wasCanary = new Set<string>();
    let previousShare = -1;
    for (let second = 0; second <= 50; second += 0.5) {
      const threshold = rollout.canaryBuckets(() => (start + second) * 1000);
      const canary = users.filter((user) => hash32(user) % steps < threshold);
      for (const user of wasCanary) assert.ok(canary.includes(user), `${user} moved back at ${second}s`);
      for (const user of canary) wasCanary.add(user);
      assert.ok(canary.length >= previousShare);
      previousShare = canary.length;
    }
    assert.equal(wasCanary.size, users.length);
  });
});
