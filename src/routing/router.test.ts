import assert from 'node:assert/strict';
import type { IncomingHttpHeaders } from 'node:http';
import { describe, it } from 'node:test';
import type { RouteEntity } from '../config/types.js';
import { route } from '../../test/helpers/routes.js';
import { compileRouter } from './router.js';

/** The id of the route that takes the request, or null. */
function winner(routes: RouteEntity[], path: string, opts: { method?: string; host?: string; headers?: IncomingHttpHeaders } = {}): string | null {
  return compileRouter(routes).match(opts.method ?? 'GET', opts.host ?? 'example.com', path, opts.headers ?? {})?.route.id ?? null;
}

describe('compileRouter: attribute matching', () => {
  it('matches a plain path as a character prefix of the raw path', () => {
    const routes = [route('r', { paths: ['/foo'] })];
    assert.equal(winner(routes, '/foo'), 'r');
    assert.equal(winner(routes, '/foo/bar'), 'r');
    assert.equal(winner(routes, '/foobar'), 'r');
    assert.equal(winner(routes, '/fo'), null);
    assert.equal(winner(routes, '/bar'), null);
  });

  it('treats a route without paths as matching every path with prefix "/"', () => {
    const router = compileRouter([route('r', { hosts: ['example.com'] })]);
    const m = router.match('GET', 'example.com', '/any/thing', {});
    assert.equal(m?.route.id, 'r');
    assert.equal(m?.matchedPath, '/');
  });

  it('matches exact hosts case-insensitively and nothing else', () => {
    const routes = [route('r', { hosts: ['API.Example.com'], paths: ['/'] })];
    assert.equal(winner(routes, '/', { host: 'api.example.com' }), 'r');
    assert.equal(winner(routes, '/', { host: 'example.com' }), null);
    assert.equal(winner(routes, '/', { host: 'x.api.example.com' }), null);
  });

  it('matches suffix wildcard hosts at any depth but not the bare domain', () => {
    const routes = [route('r', { hosts: ['*.example.com'] })];
    assert.equal(winner(routes, '/', { host: 'a.example.com' }), 'r');
    assert.equal(winner(routes, '/', { host: 'a.b.example.com' }), 'r');
    assert.equal(winner(routes, '/', { host: 'example.com' }), null);
    assert.equal(winner(routes, '/', { host: 'aexample.com' }), null);
  });

  it('matches prefix wildcard hosts', () => {
    const routes = [route('r', { hosts: ['example.*'] })];
    assert.equal(winner(routes, '/', { host: 'example.org' }), 'r');
    assert.equal(winner(routes, '/', { host: 'example.co.uk' }), 'r');
    assert.equal(winner(routes, '/', { host: 'www.example.org' }), null);
  });

  it('requires one of the configured methods', () => {
    const routes = [route('r', { paths: ['/'], methods: ['GET', 'POST'] })];
    assert.equal(winner(routes, '/', { method: 'POST' }), 'r');
    assert.equal(winner(routes, '/', { method: 'DELETE' }), null);
  });

  it('requires every configured header, with a case-insensitive value among the listed ones', () => {
    const routes = [route('r', { paths: ['/'], headers: { 'X-Version': ['2', 'Beta'], 'x-team': ['a'] } })];
    assert.equal(winner(routes, '/', { headers: { 'x-version': 'BETA', 'x-team': 'A' } }), 'r');
    assert.equal(winner(routes, '/', { headers: { 'x-version': '2' } }), null);
    assert.equal(winner(routes, '/', { headers: { 'x-version': '3', 'x-team': 'a' } }), null);
  });

  it('accepts a repeated request header when any one of its values matches', () => {
    const routes = [route('r', { paths: ['/'], headers: { 'x-version': ['2'] } })];
    assert.equal(winner(routes, '/', { headers: { 'x-version': ['1', '2'] } }), 'r');
    assert.equal(winner(routes, '/', { headers: { 'x-version': ['1', '3'] } }), null);
  });

  it('anchors regex paths at the start and returns the whole match and named captures', () => {
    const router = compileRouter([route('r', { paths: ['~/orders/(?<id>\\d+)(?:/(?<sub>\\w+))?'] })]);
    const m = router.match('GET', 'example.com', '/orders/42/items/x', {});
    assert.equal(m?.route.id, 'r');
    assert.equal(m?.matchedPath, '/orders/42/items');
    assert.deepEqual({ ...m?.captures }, { id: '42', sub: 'items' });
    assert.deepEqual({ ...router.match('GET', 'example.com', '/orders/7', {})?.captures }, { id: '7' });
    assert.equal(router.match('GET', 'example.com', '/v1/orders/42', {}), null);
  });

  it('returns a frozen empty captures object for plain paths and regexes without named groups', () => {
    const router = compileRouter([route('plain', { paths: ['/p'] }), route('re', { paths: ['~/r\\d'] })]);
    for (const path of ['/p', '/r1']) {
      const m = router.match('GET', 'example.com', path, {});
      assert.deepEqual(Object.keys(m?.captures ?? { x: 1 }), []);
      assert.ok(Object.isFrozen(m?.captures));
    }
  });

  it('matches the raw path, percent-encoding preserved', () => {
    const routes = [route('encoded', { paths: ['/a%20b'] }), route('plain', { paths: ['/a b'] })];
    assert.equal(winner(routes, '/a%20b/c'), 'encoded');
    assert.equal(winner(routes, '/a b'), 'plain');
  });

  it('falls back to a lower-ranked route when the higher one refuses the method', () => {
    const routes = [route('short', { paths: ['/api'] }), route('long', { paths: ['/api/v1'], methods: ['POST'] })];
    assert.equal(winner(routes, '/api/v1/x', { method: 'POST' }), 'long');
    assert.equal(winner(routes, '/api/v1/x', { method: 'GET' }), 'short');
  });

  it('walks back through shorter prefixes of the same rank when conditions fail', () => {
    const routes = [
      route('root', { paths: ['/'], methods: ['GET'] }),
      route('api', { paths: ['/api'], methods: ['GET'] }),
      route('v1', { paths: ['/api/v1'], methods: ['POST'] }),
    ];
    assert.equal(winner(routes, '/api/v1/x', { method: 'POST' }), 'v1');
    assert.equal(winner(routes, '/api/v1/x', { method: 'GET' }), 'api');
    assert.equal(winner(routes, '/other', { method: 'GET' }), 'root');
  });
});

describe('compileRouter: precedence', () => {
  it('prefers the longest plain prefix', () => {
    const routes = [route('short', { paths: ['/a'] }), route('long', { paths: ['/a/b'] }), route('mid', { paths: ['/a/'] })];
    assert.equal(winner(routes, '/a/b/c'), 'long');
    assert.equal(winner(routes, '/a/c'), 'mid');
    assert.equal(winner(routes, '/ab'), 'short');
  });

  it('prefers a regex over a plain prefix, even a longer one', () => {
    const routes = [route('prefix', { paths: ['/users/profile'] }), route('regex', { paths: ['~/users/\\w+'] })];
    assert.equal(winner(routes, '/users/profile/x'), 'regex');
  });

  it('prefers a plain path equal to the whole request path over a regex', () => {
    const routes = [route('regex', { paths: ['~/users/\\w+'] }), route('exact', { paths: ['/users/me'] })];
    assert.equal(winner(routes, '/users/me'), 'exact');
    assert.equal(winner(routes, '/users/me/x'), 'regex');
  });

  it('orders regexes by regex_priority, then declaration order', () => {
    const routes = [
      route('low', { paths: ['~/a'], regex_priority: 0 }),
      route('high', { paths: ['~/a/b'], regex_priority: 10 }),
      route('first', { paths: ['~/x'] }),
      route('second', { paths: ['~/x'] }),
    ];
    assert.equal(winner(routes, '/a/b'), 'high');
    assert.equal(winner(routes, '/a/c'), 'low');
    assert.equal(winner(routes, '/x'), 'first');
  });

  it('breaks ties between identical routes by declaration order', () => {
    const routes = [route('first', { paths: ['/same'] }), route('second', { paths: ['/same'] })];
    assert.equal(winner(routes, '/same/x'), 'first');
  });

  it('prefers routes with more attribute kinds, before any path rule', () => {
    const routes = [
      route('long-path', { paths: ['/a/b/c'] }),
      route('regex', { paths: ['~/a'], regex_priority: 100 }),
      route('with-method', { paths: ['/a'], methods: ['GET'] }),
    ];
    assert.equal(winner(routes, '/a/b/c/d'), 'with-method');
    assert.equal(winner(routes, '/a/b/c/d', { method: 'POST' }), 'regex');
  });

  it('prefers plain-host routes over wildcard-host routes over host-less routes', () => {
    const routes = [
      route('none', { paths: ['/'] }),
      route('wild', { hosts: ['*.example.com'], paths: ['/'] }),
      route('plain', { hosts: ['api.example.com'], paths: ['/'] }),
    ];
    assert.equal(winner(routes, '/x', { host: 'api.example.com' }), 'plain');
    assert.equal(winner(routes, '/x', { host: 'www.example.com' }), 'wild');
    assert.equal(winner(routes, '/x', { host: 'other.org' }), 'none');
  });

  it('ranks the host kind above path length: a host route beats a longer host-less path', () => {
    const routes = [route('path', { paths: ['/very/long/path'] }), route('host', { hosts: ['example.com'], paths: ['/'] })];
    assert.equal(winner(routes, '/very/long/path'), 'host');
  });

  it('uses path rules between wildcard buckets of the same rank', () => {
    const routes = [
      route('broad', { hosts: ['*.com'], paths: ['/a/b'] }),
      route('narrow', { hosts: ['*.example.com'], paths: ['/a'] }),
    ];
    assert.equal(winner(routes, '/a/b', { host: 'x.example.com' }), 'broad');
    assert.equal(winner(routes, '/a/c', { host: 'x.example.com' }), 'narrow');
  });

  it('treats a route with any wildcard host as not plain, even when matched by its plain host', () => {
    const routes = [
      route('mixed', { hosts: ['api.example.com', '*.example.org'], paths: ['/'] }),
      route('plain', { hosts: ['api.example.com'], paths: ['/'] }),
    ];
    assert.equal(winner(routes, '/', { host: 'api.example.com' }), 'plain');
  });

  it('prefers more header conditions', () => {
    const routes = [
      route('one', { paths: ['/'], headers: { a: ['1'] } }),
      route('two', { paths: ['/'], headers: { a: ['1'], b: ['2'] } }),
    ];
    assert.equal(winner(routes, '/', { headers: { a: '1', b: '2' } }), 'two');
    assert.equal(winner(routes, '/', { headers: { a: '1' } }), 'one');
  });

  it('ranks each path of a route on its own', () => {
    const routes = [route('multi', { paths: ['/a', '~/b\\d'] }), route('longer', { paths: ['/a/x'] }), route('re', { paths: ['~/b'], regex_priority: 5 })];
    assert.equal(winner(routes, '/a/x/y'), 'longer');
    assert.equal(winner(routes, '/a/y'), 'multi');
    assert.equal(winner(routes, '/b1'), 're');
  });
});
