/** Unit: proxy-cache's config as users see it checked — Kong's defaults, the strategy required, bad values at their paths. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsedPluginConfig, pluginConfigIssues } from '../../test/helpers/plugin-config.js';

describe('proxy-cache config', () => {
  it("fills Kong's defaults and Gatehouse's bounds", () => {
    const config = parsedPluginConfig('proxy-cache', { strategy: 'memory' });
    assert.deepEqual(config.response_code, [200, 301, 404]);
    assert.deepEqual(config.request_method, ['GET', 'HEAD']);
    assert.deepEqual(config.content_type, ['text/plain', 'application/json']);
    assert.equal(config.cache_ttl, 300);
    assert.equal(config.cache_control, false);
    assert.equal(config.ignore_uri_case, false);
    assert.deepEqual(config.memory, { dictionary_name: 'kong_db_cache', dictionary_size: 128 * 1024 * 1024 });
    assert.deepEqual(config.response_headers, { age: true, 'X-Cache-Status': true, 'X-Cache-Key': true });
    assert.equal(config.max_body_bytes, 1024 * 1024);
  });

  it('needs a strategy, as Kong, and names each bad value by its path', () => {
    assert.ok(pluginConfigIssues('proxy-cache', {})['plugins[0].config.strategy']);
    const issues = pluginConfigIssues('proxy-cache', {
      strategy: 'disk',
      response_code: [],
      request_method: ['DELETE'],
      content_type: ['json'],
      cache_ttl: 0,
      redis: { port: 0 },
      memory: { dictionary_size: -1 },
      response_headers: { 'X-Cache-Hits': true },
    });
    assert.deepEqual(Object.keys(issues).sort(), [
      'plugins[0].config.cache_ttl',
      'plugins[0].config.content_type[0]',
      'plugins[0].config.memory.dictionary_size',
      'plugins[0].config.redis.port',
      'plugins[0].config.request_method[0]',
      'plugins[0].config.response_code',
      'plugins[0].config.response_headers.X-Cache-Hits',
      'plugins[0].config.strategy',
    ]);
    assert.equal(issues['plugins[0].config.content_type[0]'], 'must be a media type, e.g. application/json');
  });
});
