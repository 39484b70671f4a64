/** Unit: how cors decides Access-Control-Allow-Origin from Kong's `origins` rules. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normaliseOrigin, OriginPolicy } from './origins.js';

describe('cors origins', () => {
  it('normalises an origin as Kong: default ports dropped, anything else kept whole', () => {
    assert.deepEqual(normaliseOrigin('https://app.example.com:443'), { domain: 'https://app.example.com', host: 'app.example.com' });
    assert.deepEqual(normaliseOrigin('http://app.example.com:8080'), { domain: 'http://app.example.com:8080', host: 'app.example.com' });
    assert.deepEqual(normaliseOrigin('HTTP://App.Example.com'), { domain: 'http://app.example.com', host: 'app.example.com' });
    assert.deepEqual(normaliseOrigin('http://[::1]:3000'), { domain: 'http://[::1]:3000', host: '[::1]' });
    assert.deepEqual(normaliseOrigin('null'), { domain: 'null', host: 'null' });
  });

  it('allows any origin with no list or *, with no Vary', () => {
    for (const origins of [null, [], ['*']]) {
      const policy = new OriginPolicy(origins);
      assert.equal(policy.allowed('https://a.example'), '*');
      assert.equal(policy.allowed(undefined), '*');
      assert.equal(policy.varies, false);
    }
  });

  it('sends a single plain entry as it is, whatever the request origin (Kong)', () => {
    const policy = new OriginPolicy(['https://app.example.com']);
    assert.equal(policy.allowed('https://evil.example'), 'https://app.example.com');
    assert.equal(policy.varies, true);
  });

  it('matches plain entries after normalising, and regexes whole (by host when they have no colon)', () => {
    const policy = new OriginPolicy(['https://app.example.com:443', 'http://localhost:3000', '(.*)\\.partner\\.example', '^https://[a-z]+\\.cdn\\.example$']);
    assert.equal(policy.allowed('https://app.example.com'), 'https://app.example.com');
    assert.equal(policy.allowed('http://localhost:3000'), 'http://localhost:3000');
    assert.equal(policy.allowed('http://localhost:3001'), null);
    assert.equal(policy.allowed('https://shop.partner.example'), 'https://shop.partner.example');
    assert.equal(policy.allowed('http://shop.partner.example:8443'), 'http://shop.partner.example:8443');
    assert.equal(policy.allowed('https://shop.partner.example.evil.test'), null);
    assert.equal(policy.allowed('https://eu.cdn.example'), 'https://eu.cdn.example');
    assert.equal(policy.allowed('http://eu.cdn.example'), null);
    assert.equal(policy.allowed('https://eu.cdn.example.evil.test'), null);
    assert.equal(policy.allowed(undefined), null);
    // Asked twice: the remembered answer is the same.
    assert.equal(policy.allowed('https://shop.partner.example'), 'https://shop.partner.example');
  });

  it('answers * at a * entry reached in order', () => {
    const policy = new OriginPolicy(['https://app.example.com', '*']);
    assert.equal(policy.allowed('https://app.example.com'), 'https://app.example.com');
    assert.equal(policy.allowed('https://other.example'), '*');
  });
});
