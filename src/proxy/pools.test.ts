/** Unit: the Pool loaded by path is undici's own, so a moved file fails here rather than in use. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Pool } from 'undici';
import { PoolRegistry } from './pools.js';

describe('upstream pools', () => {
  it("are undici's Pool, one per origin and connect options", async () => {
    const registry = new PoolRegistry();
    const pool = registry.get({ origin: 'http://127.0.0.1:1', connectTimeout: 1000, tls: null });
    assert.ok(pool instanceof Pool);
    assert.equal(registry.get({ origin: 'http://127.0.0.1:1', connectTimeout: 1000, tls: null }), pool);
    assert.notEqual(registry.get({ origin: 'http://127.0.0.1:1', connectTimeout: 2000, tls: null }), pool);
    await registry.closeAll();
  });
});
