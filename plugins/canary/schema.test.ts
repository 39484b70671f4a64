/** Unit: every canary option of Kong Enterprise's accepted, bad values rejected with their paths, and a timed rollout's start filled in. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateWithBundledPlugins } from '../../test/helpers/bundled-plugins.js';

const withCanary = (config: Record<string, unknown>) => ({ _format_version: '3.0', plugins: [{ name: 'canary', config }] });

function parsed(config: Record<string, unknown>): Record<string, unknown> {
  const result = validateWithBundledPlugins(withCanary(config));
  assert.ok(result.ok, result.ok ? '' : result.issues.map((i) => `${i.path}: ${i.message}`).join('\n'));
  return result.config.plugins[0]!.config;
}

function issues(config: Record<string, unknown>): string[] {
  const result = validateWithBundledPlugins(withCanary(config));
  assert.equal(result.ok, false);
  return result.ok ? [] : result.issues.map((i) => `${i.path}: ${i.message}`).sort();
}

describe('canary schema', () => {
  it("accepts each of Kong's options", () => {
    const config = {
      percentage: 12.5,
      start: 1_900_000_000,
      duration: 600,
      steps: 100,
      upstream_host: 'orders-v2.internal',
      upstream_port: 8080,
      upstream_uri: '/v2',
      upstream_fallback: true,
      hash: 'header',
      hash_header: 'X-User',
      groups: ['beta'],
      canary_by_header_name: 'X-Canary',
    };
    assert.deepEqual(parsed(config), config);
    for (const hash of ['consumer', 'ip', 'none']) assert.equal(parsed({ upstream_port: 81, hash }).hash, hash);
    for (const hash of ['allow', 'deny']) assert.deepEqual(parsed({ upstream_port: 81, hash, groups: ['beta'] }).groups, ['beta']);
  });

  it("fills Kong's defaults, and the start of a timed rollout with the time the config is written", () => {
    const before = Math.floor(Date.now() / 1000);
    const timed = parsed({ upstream_host: 'v2.internal' });
    assert.deepEqual({ ...timed, start: undefined }, { upstream_host: 'v2.internal', duration: 3600, steps: 1000, upstream_fallback: false, hash: 'consumer', start: undefined });
    assert.ok((timed.start as number) >= before && (timed.start as number) <= Math.floor(Date.now() / 1000));
    assert.equal(parsed({ upstream_host: 'v2.internal', percentage: 10 }).start, undefined, 'a fixed percentage has no start');
    assert.equal(parsed({ upstream_host: 'v2.internal', hash: 'allow', groups: ['beta'] }).start, undefined, 'allow/deny has no start');
    assert.equal(parsed({ upstream_host: 'v2.internal', start: 1_900_000_000 }).start, 1_900_000_000);
  });

  it('rejects bad values with the path of each field', () => {
    assert.deepEqual(
      issues({
        percentage: 101,
        start: -1,
        duration: -5,
        steps: 0,
        upstream_host: 'not a host',
        upstream_port: 70000,
        upstream_uri: 'v2',
        upstream_fallback: 'yes',
        hash: 'cookie',
        hash_header: 'bad header',
        groups: [],
        canary_by_header_name: 'x y',
        colour: 'blue',
      }),
      [
        'plugins[0].config.canary_by_header_name: must be a valid header name',
        'plugins[0].config.colour: unknown field',
        'plugins[0].config.duration: Too small: expected number to be >=0',
        'plugins[0].config.groups: Too small: expected array to have >=1 items',
        'plugins[0].config.hash: Invalid option: expected one of "consumer"|"ip"|"none"|"allow"|"deny"|"header"',
        'plugins[0].config.hash_header: must be a valid header name',
        'plugins[0].config.percentage: Too big: expected number to be <=100',
        'plugins[0].config.start: Too small: expected number to be >=0',
        'plugins[0].config.steps: Too small: expected number to be >=1',
        'plugins[0].config.upstream_fallback: Invalid input: expected boolean, received string',
        'plugins[0].config.upstream_host: invalid value: must be a hostname or IP address',
        'plugins[0].config.upstream_port: Too big: expected number to be <=65535',
        'plugins[0].config.upstream_uri: should start with: /',
      ],
    );
  });

  it("enforces Kong's rules between fields", () => {
    assert.deepEqual(issues({ percentage: 5 }), ['plugins[0].config: at least one of these fields must be non-empty: upstream_host, upstream_port, upstream_uri']);
    assert.deepEqual(issues({ upstream_port: 81, hash: 'header' }), ['plugins[0].config.hash_header: required when hash is "header"']);
    assert.deepEqual(issues({ upstream_port: 81, hash: 'deny' }), ['plugins[0].config.groups: required when hash is "deny"']);
    assert.deepEqual(issues({ upstream_uri: '/v2', upstream_fallback: true }), ['plugins[0].config.upstream_fallback: needs upstream_host']);
  });
});
