/** Unit: the memory strategy's byte bound, LRU order and storage expiry. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { storedSize, type StoredResponse } from '../stored-response.js';
import { MemoryStrategy } from './memory.js';

const entry = (bytes: number, storedAt = Date.now()): StoredResponse => ({ status: 200, headers: {}, body: Buffer.alloc(bytes), storedAt, ttl: 60 });

describe('MemoryStrategy', () => {
  it('evicts the least recently used entries to stay within its bytes', () => {
    const one = storedSize(entry(100));
    const store = new MemoryStrategy(one * 3);
    store.store('a', entry(100), 60);
    store.store('b', entry(100), 60);
    store.store('c', entry(100), 60);
    assert.ok(store.fetch('a'), 'a is read, so b is now the least recently used');
    store.store('d', entry(100), 60);
    assert.equal(store.fetch('b'), null);
    assert.ok(store.fetch('a'));
    assert.ok(store.fetch('c'));
    assert.ok(store.fetch('d'));
    assert.equal(store.size, one * 3);
  });

  it('never keeps an entry larger than itself, and replaces an entry in place', () => {
    const store = new MemoryStrategy(500);
    store.store('small', entry(10), 60);
    store.store('huge', entry(1000), 60);
    assert.equal(store.fetch('huge'), null);
    assert.ok(store.fetch('small'));
    store.store('small', entry(20), 60);
    assert.equal(store.size, storedSize(entry(20)));
  });

  it('drops an entry past its storage TTL, and purges and flushes', () => {
    const store = new MemoryStrategy(10_000);
    store.store('old', entry(10, Date.now() - 61_000), 60);
    assert.equal(store.fetch('old'), null);
    assert.equal(store.size, 0);
    store.store('x', entry(10), 60);
    assert.equal(store.purge('x'), true);
    assert.equal(store.purge('x'), false);
    store.store('y', entry(10), 60);
    store.flush();
    assert.equal(store.fetch('y'), null);
    assert.equal(store.size, 0);
  });
});
