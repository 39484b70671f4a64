/** Unit: Cache-Control reading, which answers proxy-cache keeps, and the stored form of an entry. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsedPluginConfig } from '../../test/helpers/plugin-config.js';
import { parseCacheControl, resourceTtl } from './cache-control.js';
import { ResponseRules, storableHeaders } from './cacheable.js';
import type { ProxyCacheConfig } from './schema.js';
import { decodeStored, encodeStored, type StoredResponse } from './stored-response.js';

const config = (options: Record<string, unknown> = {}) => parsedPluginConfig('proxy-cache', { strategy: 'memory', ...options }) as ProxyCacheConfig;
const head = (status: number, headers: Record<string, string | string[]>) => ({ status, headers });

describe('Cache-Control', () => {
  it('reads directives and their numbers', () => {
    const directives = parseCacheControl('Public, MAX-AGE=60, s-maxage="120", no-cache="set-cookie"');
    assert.equal(directives.get('public'), true);
    assert.equal(directives.get('max-age'), 60);
    assert.equal(directives.get('s-maxage'), 120);
    assert.equal(directives.get('no-cache'), 'set-cookie');
  });

  it('takes a lifetime from s-maxage, max-age, then Expires', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    assert.equal(resourceTtl(parseCacheControl('max-age=60, s-maxage=30'), undefined, now), 30);
    assert.equal(resourceTtl(parseCacheControl('max-age=60'), undefined, now), 60);
    assert.equal(resourceTtl(parseCacheControl(undefined), 'Thu, 01 Jan 2026 00:02:00 GMT', now), 120);
    assert.equal(resourceTtl(parseCacheControl(undefined), 'Wed, 31 Dec 2025 00:00:00 GMT', now), 0);
    assert.equal(resourceTtl(parseCacheControl(undefined), undefined, now), 0);
  });
});

describe('which answers are kept', () => {
  it("matches content types exactly, as Kong: parameters count, * is a wildcard", () => {
    const rules = new ResponseRules(config());
    assert.deepEqual(rules.judge(head(200, { 'content-type': 'application/json' }), 0), { ttl: 300 });
    assert.deepEqual(rules.judge(head(200, { 'content-type': 'application/json; charset=utf-8' }), 0), { bypass: 'content type application/json; charset=utf-8' });
    const wide = new ResponseRules(config({ content_type: ['image/*', 'application/json; charset=utf-8'] }));
    assert.ok('ttl' in wide.judge(head(200, { 'content-type': 'image/png' }), 0));
    assert.ok('ttl' in wide.judge(head(200, { 'content-type': 'application/json;charset=UTF-8' }), 0));
  });

  it('keeps only configured statuses, and nothing with Set-Cookie, an unkeyed Vary or a declared length over the limit', () => {
    const rules = new ResponseRules(config({ vary_headers: ['Accept-Language'], max_body_bytes: 10 }));
    const json = { 'content-type': 'application/json' };
    assert.deepEqual(rules.judge(head(500, json), 0), { bypass: 'status 500' });
    assert.ok('ttl' in rules.judge(head(404, json), 0));
    assert.deepEqual(rules.judge(head(200, { ...json, 'set-cookie': ['a=1'] }), 0), { bypass: 'Set-Cookie' });
    assert.ok('ttl' in rules.judge(head(200, { ...json, vary: 'accept-language' }), 0));
    assert.deepEqual(rules.judge(head(200, { ...json, vary: 'Accept-Language, Accept-Encoding' }), 0), { bypass: 'Vary: Accept-Encoding (not in vary_headers)' });
    assert.deepEqual(rules.judge(head(200, { ...json, 'content-length': '11' }), 0), { bypass: 'body over max_body_bytes' });
  });

  it('with cache_control, honours private, no-store, no-cache and takes the lifetime from the answer', () => {
    const rules = new ResponseRules(config({ cache_control: true }));
    const json = { 'content-type': 'application/json' };
    for (const value of ['private, max-age=60', 'no-store', 'no-cache']) assert.deepEqual(rules.judge(head(200, { ...json, 'cache-control': value }), 0), { bypass: 'Cache-Control' });
    assert.deepEqual(rules.judge(head(200, { ...json, 'cache-control': 'public, max-age=42' }), 0), { ttl: 42 });
    assert.deepEqual(rules.judge(head(200, json), 0), { bypass: 'no lifetime (Cache-Control/Expires)' });
  });

  it('keeps end-to-end headers only', () => {
    assert.deepEqual(
      storableHeaders({ 'content-type': 'text/plain', 'content-length': '3', connection: 'x-hop', 'x-hop': '1', 'transfer-encoding': 'chunked', age: '4', etag: '"v1"', 'x-list': ['a', 'b'] }),
      { 'content-type': 'text/plain', etag: '"v1"', 'x-list': ['a', 'b'] },
    );
  });
});

describe('stored entries', () => {
  it('round-trip through their byte form, binary bodies included', () => {
    const entry: StoredResponse = { status: 201, headers: { 'content-type': 'application/octet-stream', 'x-list': ['a', 'b'] }, body: Buffer.from([0, 255, 10, 13]), storedAt: 1_700_000_000_123, ttl: 60 };
    assert.deepEqual(decodeStored(encodeStored(entry)), entry);
    assert.deepEqual(decodeStored(encodeStored(entry, 1_700_000_090_000)), { ...entry, keptUntil: 1_700_000_090_000 });
    assert.equal(decodeStored(Buffer.from('garbage')), null);
    assert.equal(decodeStored(Buffer.alloc(2)), null);
  });
});
