/** Unit: what makes two requests share a proxy-cache entry, and what keeps them apart. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RequestContext } from '../../src/plugin-kit/index.js';
import { cacheKey, type KeyOptions } from './cache-key.js';

function request(overrides: Partial<{ method: string; path: string; query: string; headers: Record<string, string>; consumer: string; credential: string; route: string }> = {}): RequestContext {
  return {
    method: overrides.method ?? 'GET',
    path: overrides.path ?? '/items',
    query: overrides.query ?? '',
    headers: overrides.headers ?? {},
    route: { id: overrides.route ?? 'route-1' },
    consumer: overrides.consumer ? { id: overrides.consumer } : null,
    credential: overrides.credential ? { id: overrides.credential, type: 'jwt' } : null,
    captures: {},
  } as unknown as RequestContext;
}

const defaults: KeyOptions = { ignoreUriCase: false, varyQueryParams: null, varyHeaders: [] };
const key = (overrides: Parameters<typeof request>[0], options: Partial<KeyOptions> = {}) => cacheKey(request(overrides), { ...defaults, ...options });

describe('proxy-cache key', () => {
  it('is a SHA-256 hex digest', () => {
    assert.match(key({}), /^[0-9a-f]{64}$/);
  });

  it('ignores query argument order but not their values, and reads HEAD as GET', () => {
    assert.equal(key({ query: 'a=1&b=2' }), key({ query: 'b=2&a=1' }));
    assert.equal(key({ query: 'a=2&a=1' }), key({ query: 'a=1&a=2' }));
    assert.notEqual(key({ query: 'a=1' }), key({ query: 'a=2' }));
    assert.notEqual(key({ query: 'a' }), key({ query: 'a=' }));
    assert.equal(key({ method: 'HEAD' }), key({}));
    assert.notEqual(key({ method: 'POST' }), key({}));
  });

  it('keeps routes, consumers and credentials apart', () => {
    assert.notEqual(key({ route: 'route-2' }), key({}));
    assert.notEqual(key({ consumer: 'alice' }), key({}));
    assert.notEqual(key({ consumer: 'alice' }), key({ consumer: 'bob' }));
    assert.notEqual(key({ credential: 'sub-1' }), key({ credential: 'sub-2' }));
    assert.notEqual(key({ credential: 'sub-1' }), key({}));
  });

  it('takes only vary_query_params and vary_headers when set', () => {
    const options = { varyQueryParams: ['page'], varyHeaders: ['accept-language'] };
    assert.equal(key({ query: 'page=1&utm=x' }, options), key({ query: 'page=1&utm=y' }, options));
    assert.notEqual(key({ query: 'page=1' }, options), key({ query: 'page=2' }, options));
    assert.notEqual(key({ headers: { 'accept-language': 'de' } }, options), key({ headers: { 'accept-language': 'fr' } }, options));
    assert.equal(key({ headers: { 'x-other': '1' } }, options), key({}, options));
    assert.equal(key({ headers: { 'accept-language': 'de' } }), key({}), 'no vary_headers: headers do not count');
  });

  it('ignores the case of the path only when asked', () => {
    assert.notEqual(key({ path: '/Items' }), key({ path: '/items' }));
    assert.equal(key({ path: '/Items' }, { ignoreUriCase: true }), key({ path: '/items' }, { ignoreUriCase: true }));
  });
});
