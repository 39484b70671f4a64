/** Consistent hashing: each key stays on one target, and similar keys spread over targets whatever their addresses. */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Pool } from 'undici';
import type { UpstreamEntity } from '../config/types.js';
import type { RequestContext } from '../pipeline/contract.js';
import { ConsistentHashing, UpstreamTarget } from './balancer.js';

describe('ConsistentHashing', () => {
  // Never connected: picking a target does not touch its pool.
  const pool = new Pool('http://127.0.0.1:9');
  after(() => pool.close());
  const byIp = { hash_on: 'ip', hash_fallback: 'none' } as UpstreamEntity;
  const ctx = (clientIp: string) => ({ clientIp }) as RequestContext;
  const target = (port: number) => new UpstreamTarget(`127.0.0.1:${port}`, `127.0.0.1:${port}`, 100, pool);

  it('gives each of two targets between 35% and 65% of 600 similar keys, for 40 address pairs', () => {
    for (let i = 0; i < 40; i++) {
      const targets = [target(30_000 + 733 * i), target(30_001 + 733 * i)];
      const ring = new ConsistentHashing(targets, byIp);
      let first = 0;
      for (let k = 0; k < 600; k++) if (ring.pick(ctx(`10.0.${k >> 8}.${k & 255}`), null) === targets[0]) first++;
      assert.ok(first >= 210 && first <= 390, `${targets.map((t) => t.address).join(' / ')}: ${first} of 600 keys on the first`);
    }
  });

  it('keeps a key on the same target', () => {
    const targets = [target(8001), target(8002), target(8003)];
    const ring = new ConsistentHashing(targets, byIp);
    for (let k = 0; k < 50; k++) assert.equal(ring.pick(ctx(`192.168.1.${k}`), null), ring.pick(ctx(`192.168.1.${k}`), null));
  });
});
