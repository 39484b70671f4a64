import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { kongCompat } from './kong-compat.js';

describe('kongCompat', () => {
  it('returns a document that needs nothing as it is, without a copy', () => {
    const input = { _format_version: '3.0', services: [{ name: 's', url: 'http://a', plugins: [{ name: 'rate-limiting', config: { minute: 1, redis: { host: 'r' } } }] }] };
    const result = kongCompat(input, 'file');
    assert.equal(result.document, input);
    assert.deepEqual(result.warnings, []);
  });

  it('moves rate-limiting redis_* fields into redis, everywhere a plugin can be, leaving the input untouched', () => {
    const input = {
      _format_version: '3.0',
      plugins: [{ name: 'rate-limiting', config: { minute: 1, redis_host: 'r', redis_ssl: true } }],
      services: [{ name: 's', url: 'http://a', routes: [{ name: 'r', paths: ['/'], plugins: [{ name: 'rate-limiting', config: { second: 1, redis_port: 6380, redis: { port: 1 } } }] }] }],
      consumers: [{ username: 'c', plugins: [{ name: 'rate-limiting', config: { hour: 1, redis_database: 3 } }] }],
    };
    const copy = structuredClone(input);
    const { document, warnings } = kongCompat(input, 'file') as { document: any; warnings: { path: string; message: string }[] };
    assert.deepEqual(input, copy);
    assert.deepEqual(document.plugins[0].config, { minute: 1, redis: { host: 'r', ssl: true } });
    assert.deepEqual(document.services[0].routes[0].plugins[0].config, { second: 1, redis: { port: 1 } }, 'the current field wins');
    assert.deepEqual(document.consumers[0].plugins[0].config, { hour: 1, redis: { database: 3 } });
    assert.deepEqual(
      warnings.map((w) => w.path),
      ['plugins[0].config.redis_host', 'plugins[0].config.redis_ssl', 'services[0].routes[0].plugins[0].config.redis_port', 'consumers[0].plugins[0].config.redis_database'],
    );
    assert.match(warnings[2]!.message, /redis.port is set too and wins/);
  });

  it('leaves a missing _format_version to the schema in an API write (an empty POST /config replaces nothing)', () => {
    const input = {};
    assert.deepEqual(kongCompat(input, 'api'), { document: input, warnings: [] });
  });

  it('reads http-log queue shorthands, drops retry_count, and sets a missing _format_version in a file', () => {
    const { document, warnings } = kongCompat({ plugins: [{ name: 'http-log', config: { http_endpoint: 'http://l', retry_count: 3, flush_timeout: 2 } }] }, 'file') as { document: any; warnings: { path: string }[] };
    assert.equal(document._format_version, '3.0');
    assert.deepEqual(document.plugins[0].config, { http_endpoint: 'http://l', queue: { max_coalescing_delay: 2 } });
    assert.deepEqual(warnings.map((w) => w.path), ['_format_version', 'plugins[0].config.flush_timeout', 'plugins[0].config.retry_count']);
  });

  it('sets consumer groups aside and never applies a consumer-group plugin to everyone', () => {
    const { document, warnings } = kongCompat({
      _format_version: '3.0',
      consumer_groups: [{ name: 'gold' }],
      consumers: [{ username: 'a', groups: [{ name: 'gold' }] }],
      plugins: [{ name: 'acl', config: { allow: ['x'] } }, { name: 'rate-limiting', consumer_group: 'gold', config: { minute: 5 } }],
    }, 'file') as { document: any; warnings: { path: string }[] };
    assert.equal(document.consumer_groups, undefined);
    assert.deepEqual(document.consumers, [{ username: 'a' }]);
    assert.deepEqual(document.plugins.map((p: { name: string }) => p.name), ['acl']);
    assert.deepEqual(warnings.map((w) => w.path), ['consumer_groups', 'consumers[0].groups', 'plugins[1]']);
  });
});
