/** Unit: the bounded, expiring LRU behind the auth caches. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ExpiringLru } from './expiring-lru.js';

describe('ExpiringLru', () => {
  it('evicts the least recently used entry when full', () => {
    const cache = new ExpiringLru<number>(2);
    const later = Date.now() + 60_000;
    cache.set('a', 1, later);
    cache.set('b', 2, later);
    assert.equal(cache.get('a'), 1);
    cache.set('c', 3, later);
    assert.equal(cache.size, 2);
    assert.equal(cache.get('b'), undefined);
    assert.equal(cache.get('a'), 1);
    assert.equal(cache.get('c'), 3);
  });

  it('keeps the order right when the youngest entry is hit again', () => {
    const cache = new ExpiringLru<number>(2);
    const later = Date.now() + 60_000;
    cache.set('a', 1, later);
    cache.set('b', 2, later);
    assert.equal(cache.get('b'), 2);
    assert.equal(cache.get('a'), 1);
    assert.equal(cache.get('a'), 1);
    cache.set('c', 3, later);
    assert.equal(cache.get('b'), undefined);
    assert.equal(cache.get('a'), 1);
    cache.set('d', 4, later);
    assert.equal(cache.get('c'), undefined);
    assert.equal(cache.get('a'), 1);
    assert.equal(cache.size, 2);
  });

  it('never serves an entry past its expiry and ignores already-expired ones', () => {
    const cache = new ExpiringLru<string>(10);
    const now = Date.now();
    cache.set('soon', 'x', now + 1000);
    assert.equal(cache.get('soon', now), 'x');
    assert.equal(cache.get('soon', now + 1000), undefined);
    assert.equal(cache.size, 0);
    cache.set('past', 'y', now - 1);
    assert.equal(cache.size, 0);
  });
});
