/** Unit: the verified-token cache answers only for the exact token, stays bounded and expires entries. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VerifiedTokens } from './verified-tokens.js';

const signature = 'S'.repeat(40);

describe('VerifiedTokens', () => {
  it('answers only for the whole token, not for another one ending in the same signature', () => {
    const cache = new VerifiedTokens<string>(10);
    const later = Date.now() + 60_000;
    cache.set(`header.payload.${signature}`, 'verified', later);
    assert.equal(cache.get(`header.payload.${signature}`), 'verified');
    assert.equal(cache.get(`header.forged.${signature}`), undefined);
    assert.equal(cache.get(signature), undefined);
    // The forged look-up neither replaced nor removed the real entry.
    assert.equal(cache.get(`header.payload.${signature}`), 'verified');
  });

  it('keeps at most its capacity, dropping the least recently used token', () => {
    const cache = new VerifiedTokens<number>(3);
    const later = Date.now() + 60_000;
    for (let i = 0; i < 10; i++) cache.set(`h.p.${signature}${i}`, i, later);
    assert.equal(cache.size, 3);
    assert.equal(cache.get(`h.p.${signature}6`), undefined);
    assert.equal(cache.get(`h.p.${signature}9`), 9);
  });

  it('never answers past an entry expiry', () => {
    const cache = new VerifiedTokens<string>(10);
    const now = Date.now();
    cache.set(`h.p.${signature}`, 'x', now + 1000);
    assert.equal(cache.get(`h.p.${signature}`, now + 999), 'x');
    assert.equal(cache.get(`h.p.${signature}`, now + 1000), undefined);
    assert.equal(cache.size, 0);
  });
});
