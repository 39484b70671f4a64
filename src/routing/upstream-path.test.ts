import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RouteEntity } from '../config/types.js';
import { route } from '../../test/helpers/routes.js';
import { compileRouter } from './router.js';
import { upstreamPath } from './upstream-path.js';

/** Matches `requestPath` against a single route and returns the path proxied upstream. */
function proxied(servicePath: string | undefined, fields: Partial<RouteEntity>, requestPath: string): string {
  const match = compileRouter([route('r', fields)]).match('GET', 'example.com', requestPath, {});
  assert.ok(match, `route should match ${requestPath}`);
  return upstreamPath(match, requestPath, servicePath);
}

describe('upstreamPath', () => {
  // Kong's documented path_handling table (admin API, Route object).
  const table: Array<[string, string, boolean, 'v0' | 'v1', string, string]> = [
    ['/s', '/fv0', false, 'v0', '/fv0req', '/s/fv0req'],
    ['/s', '/fv1', false, 'v1', '/fv1req', '/sfv1req'],
    ['/s', '/tv0', true, 'v0', '/tv0req', '/s/req'],
    ['/s', '/tv1', true, 'v1', '/tv1req', '/sreq'],
    ['/s', '/fv0/', false, 'v0', '/fv0/req', '/s/fv0/req'],
    ['/s', '/fv1/', false, 'v1', '/fv1/req', '/sfv1/req'],
    ['/s', '/tv0/', true, 'v0', '/tv0/req', '/s/req'],
    ['/s', '/tv1/', true, 'v1', '/tv1/req', '/sreq'],
  ];
  for (const [service, path, strip, handling, request, expected] of table) {
    it(`${handling} strip=${strip} service=${service} route=${path}: ${request} -> ${expected}`, () => {
      assert.equal(proxied(service, { paths: [path], strip_path: strip, path_handling: handling }, request), expected);
    });
  }

  it('v0 joins service path and remainder with exactly one slash', () => {
    const v0 = { paths: ['/r'], strip_path: true, path_handling: 'v0' as const };
    assert.equal(proxied('/s/', v0, '/r/x'), '/s/x');
    assert.equal(proxied('/s/', v0, '/rx'), '/s/x');
    assert.equal(proxied('/s', v0, '/r/x'), '/s/x');
    assert.equal(proxied(undefined, v0, '/r/x'), '/x');
  });

  it('v0 keeps a trailing slash from the request and drops the service one otherwise', () => {
    const v0 = { paths: ['/r'], strip_path: true, path_handling: 'v0' as const };
    assert.equal(proxied('/s', v0, '/r'), '/s');
    assert.equal(proxied('/s', v0, '/r/'), '/s/');
    assert.equal(proxied('/s/', v0, '/r'), '/s');
    assert.equal(proxied('/s/', v0, '/r/'), '/s/');
    assert.equal(proxied(undefined, v0, '/r'), '/');
  });

  it('v0 without strip_path appends the whole request path', () => {
    const v0 = { paths: ['/r'], strip_path: false, path_handling: 'v0' as const };
    assert.equal(proxied('/s', v0, '/r/x'), '/s/r/x');
    assert.equal(proxied('/s/', v0, '/r/x'), '/s/r/x');
    assert.equal(proxied(undefined, v0, '/r/x'), '/r/x');
    assert.equal(proxied('/s', { strip_path: false, hosts: ['example.com'] }, '/'), '/s');
  });

  it('v1 collapses only the doubled slash at the seam', () => {
    const v1 = { paths: ['/r'], strip_path: true, path_handling: 'v1' as const };
    assert.equal(proxied('/s/', v1, '/r/x'), '/s/x');
    assert.equal(proxied('/s/', v1, '/rx'), '/s/x');
    assert.equal(proxied('/s', v1, '/r'), '/s');
  });

  it('strips the whole regex match from the start of the path', () => {
    assert.equal(proxied('/s', { paths: ['~/orders/\\d+'] }, '/orders/42/items'), '/s/items');
  });

  it('strips nothing but the leading slash for a route without paths', () => {
    assert.equal(proxied('/s', { hosts: ['example.com'] }, '/a/b'), '/s/a/b');
    assert.equal(proxied('/s', { hosts: ['example.com'] }, '/'), '/s');
  });

  it('drops a leading dot segment left after stripping, so the path cannot climb above the service path', () => {
    const v0 = { paths: ['/r/'], strip_path: true, path_handling: 'v0' as const };
    assert.equal(proxied('/s', v0, '/r/../x'), '/s/x');
    assert.equal(proxied('/s', v0, '/r/./x'), '/s/x');
    assert.equal(proxied('/s', v0, '/r/..'), '/s');
  });

  it('preserves percent-encoding', () => {
    assert.equal(proxied('/s%20t', { paths: ['/r%2F'] }, '/r%2Fa%20b%2F'), '/s%20t/a%20b%2F');
    assert.equal(proxied('/s', { paths: ['/r'], strip_path: false }, '/r/%E2%82%AC'), '/s/r/%E2%82%AC');
  });
});
