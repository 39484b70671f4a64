/** Unit: the redis strategy's recent reads — served for one window from the read's sending, never past the store's expiry. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StoredResponse } from '../stored-response.js';
import { RECENT_READ_MS, RecentReads } from './recent-reads.js';

const entry = (bytes = 10, keptUntil?: number): StoredResponse => ({ status: 200, headers: {}, body: Buffer.alloc(bytes), storedAt: Date.now(), ttl: 60, keptUntil });

describe('RecentReads', () => {
  it('serves a read for RECENT_READ_MS from the moment its command was sent, then forgets it', () => {
    const reads = new RecentReads();
    const read = entry();
    reads.set('k', read, 1_000);
    assert.equal(reads.get('k', 1_000 + RECENT_READ_MS - 1), read);
    assert.equal(reads.get('k', 1_000 + RECENT_READ_MS), undefined);
    assert.equal(reads.size, 0);
  });

  it('never serves an entry past the moment the store drops it', () => {
    const reads = new RecentReads();
    reads.set('soon', entry(10, Date.now() + 20), 1_000);
    assert.ok(reads.get('soon', 1_000 + 10));
    assert.equal(reads.get('soon', 1_000 + 25), undefined);
    reads.set('gone', entry(10, Date.now() - 1), 1_000);
    assert.equal(reads.get('gone', 1_000), undefined);
  });

  it('replaces a key in place, drops expired reads as new ones come, and forgets on delete and clear', () => {
    const reads = new RecentReads();
    const newer = entry();
    reads.set('a', entry(), 0);
    reads.set('a', newer, 50);
    assert.equal(reads.get('a', RECENT_READ_MS + 10), newer);
    reads.set('b', entry(), 2 * RECENT_READ_MS);
    assert.equal(reads.size, 1, 'a expired and was swept when b came');
    reads.delete('b');
    assert.equal(reads.get('b', 2 * RECENT_READ_MS), undefined);
    reads.set('c', entry(), 0);
    reads.clear();
    assert.equal(reads.size, 0);
  });

  it('keeps no more than its byte bound', () => {
    const reads = new RecentReads();
    reads.set('big', entry(10 * 1024 * 1024), 0);
    reads.set('bigger', entry(10 * 1024 * 1024), 0);
    assert.ok(reads.get('big', 1));
    assert.equal(reads.get('bigger', 1), undefined);
  });
});
