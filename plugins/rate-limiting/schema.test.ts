/** Unit: rate-limiting and request-size-limiting configs through validateConfig (defaults, aliases, errors with their paths). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateWithBundledPlugins } from '../../test/helpers/bundled-plugins.js';

function withPlugin(name: string, config: Record<string, unknown>) {
  return validateWithBundledPlugins({ _format_version: '3.0', plugins: [{ name, config }] });
}

function issues(name: string, config: Record<string, unknown>): Record<string, string> {
  const result = withPlugin(name, config);
  assert.equal(result.ok, false);
  return Object.fromEntries((result.ok ? [] : result.issues).map((issue) => [issue.path, issue.message]));
}

describe('rate-limiting config', () => {
  it('fills Kong defaults and the Gatehouse extras, and maps cluster to redis', () => {
    const result = withPlugin('rate-limiting', { minute: 10, policy: 'cluster' });
    assert.ok(result.ok);
    const config = result.config.plugins[0]!.config;
    assert.equal(config.policy, 'redis');
    assert.equal(config.limit_by, 'consumer');
    assert.equal(config.algorithm, 'sliding-window');
    assert.equal(config.fault_tolerant, true);
    assert.equal(config.error_code, 429);
    assert.deepEqual(config.redis, { port: 6379, database: 0, ssl: false, ssl_verify: true, timeout: 100, sentinel_role: 'master', cluster_max_redirections: 5 });
  });

  it('reports each bad field with its path', () => {
    assert.deepEqual(issues('rate-limiting', {}), { 'plugins[0].config': 'at least one of second, minute, hour, day, month, year must be set' });
    assert.deepEqual(issues('rate-limiting', { second: 10, minute: 5 }), {
      'plugins[0].config.minute': 'the limit for minute (5) cannot be lower than the limit for second (10)',
    });
    assert.ok(issues('rate-limiting', { minute: 1, limit_by: 'header' })['plugins[0].config.header_name']);
    assert.ok(issues('rate-limiting', { minute: 1, limit_by: 'path' })['plugins[0].config.path']);
    assert.ok(issues('rate-limiting', { minute: 1, policy: 'memcached' })['plugins[0].config.policy']);
    assert.ok(issues('rate-limiting', { minute: 1, redis: { port: 70000 } })['plugins[0].config.redis.port']);
    assert.ok(issues('rate-limiting', { minute: 1, sync_rate: -1 })['plugins[0].config.sync_rate']);
    assert.equal(
      issues('rate-limiting', { minute: 1, redis: { sentinel_master: 'mymaster' } })['plugins[0].config.redis.sentinel_nodes'],
      'sentinel_master needs at least one sentinel node',
    );
    const sentinel = { sentinel_master: 'mymaster', sentinel_nodes: [{ host: '127.0.0.1' }] };
    assert.equal(
      issues('rate-limiting', { minute: 1, redis: { ...sentinel, sentinel_role: 'any' } })['plugins[0].config.redis.sentinel_role'],
      'the plugin writes to Redis, so only the master role can be used',
    );
  });

  it("takes a Redis Cluster's nodes with Kong 3.x names, and refuses what a Cluster cannot be", () => {
    const result = withPlugin('rate-limiting', { minute: 1, policy: 'redis', redis: { cluster_nodes: [{ ip: '10.0.0.7' }, { ip: '10.0.0.8', port: 7001 }] } });
    assert.ok(result.ok);
    const redis = result.config.plugins[0]!.config.redis as { cluster_nodes: unknown };
    assert.deepEqual(redis.cluster_nodes, [{ ip: '10.0.0.7', port: 6379 }, { ip: '10.0.0.8', port: 7001 }]);
    const cluster = { cluster_nodes: [{ ip: '10.0.0.7' }] };
    assert.deepEqual(issues('rate-limiting', { minute: 1, redis: { ...cluster, host: 'redis.local', database: 2 } }), {
      'plugins[0].config.redis.cluster_nodes': 'set only one of host, sentinel_master and cluster_nodes (host and cluster_nodes are both set)',
      'plugins[0].config.redis.database': 'a Redis Cluster has only database 0',
    });
    assert.equal(issues('rate-limiting', { minute: 1, redis: { cluster_nodes: [{ host: '10.0.0.7' }] } })['plugins[0].config.redis.cluster_nodes[0].host'], 'unknown field');
    assert.ok(issues('rate-limiting', { minute: 1, redis: { cluster_nodes: [] } })['plugins[0].config.redis.cluster_nodes']);
  });

  it('takes a Sentinel group with Kong 3.x names and the default sentinel port', () => {
    const result = withPlugin('rate-limiting', { minute: 1, policy: 'redis', redis: { sentinel_master: 'mymaster', sentinel_nodes: [{ host: '10.0.0.7' }] } });
    assert.ok(result.ok);
    const redis = result.config.plugins[0]!.config.redis as { sentinel_nodes: unknown };
    assert.deepEqual(redis.sentinel_nodes, [{ host: '10.0.0.7', port: 26379 }]);
  });
});

describe('request-size-limiting config', () => {
  it('fills Kong defaults and rejects unknown units', () => {
    const result = withPlugin('request-size-limiting', {});
    assert.ok(result.ok);
    assert.deepEqual(result.config.plugins[0]!.config, { allowed_payload_size: 128, size_unit: 'megabytes', require_content_length: false });
    assert.ok(issues('request-size-limiting', { size_unit: 'gigabytes' })['plugins[0].config.size_unit']);
  });
});
