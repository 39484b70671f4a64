/** Unit: reading the Sentinel and Cluster forms of GATEHOUSE_REDIS_URL. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Cluster } from 'ioredis';
import { clusterNodes, isRedisClusterUrl, redisClusterFromUrl, redisFromUrl, sentinelOptions } from './redis-url.js';

describe('GATEHOUSE_REDIS_URL forms', () => {
  it('reads a Sentinel URL: sentinels with default ports, decoded credentials, master and database', () => {
    assert.deepEqual(sentinelOptions('redis-sentinel://us%40r:p%3Ass@s1,s2:26380/orders/3'), {
      sentinels: [
        { host: 's1', port: 26379 },
        { host: 's2', port: 26380 },
      ],
      name: 'orders',
      username: 'us@r',
      password: 'p:ss',
      db: 3,
    });
    assert.deepEqual(sentinelOptions('redis-sentinel://s1'), { sentinels: [{ host: 's1', port: 26379 }], name: 'mymaster', username: undefined, password: undefined, db: 0 });
  });

  it('reads a Cluster URL, and refuses one without a host without echoing its credentials', () => {
    assert.ok(isRedisClusterUrl('redis-cluster://a:7000,b'));
    assert.ok(!isRedisClusterUrl('redis://a:6379'));
    assert.deepEqual(clusterNodes('redis-cluster://:secret@a:7000,b'), {
      username: undefined,
      password: 'secret',
      hosts: [
        { host: 'a', port: 7000 },
        { host: 'b', port: 6379 },
      ],
    });
    assert.throws(() => clusterNodes('redis-cluster://user:secret@/'), (error: Error) => error.message.includes('has no host') && !error.message.includes('secret'));
  });

  it("makes a Cluster client seeded with a Cluster URL's nodes, its credentials going to every node", () => {
    const client = redisClusterFromUrl('redis-cluster://u:secret@a:7000,b', { connectTimeout: 1234 }, { lazyConnect: true, maxRedirections: 3 });
    try {
      assert.ok(client instanceof Cluster);
      assert.deepEqual((client as unknown as { startupNodes: unknown }).startupNodes, [
        { host: 'a', port: 7000 },
        { host: 'b', port: 6379 },
      ]);
      assert.equal(client.options.maxRedirections, 3);
      assert.deepEqual([client.options.redisOptions?.username, client.options.redisOptions?.password, client.options.redisOptions?.connectTimeout], ['u', 'secret', 1234]);
    } finally {
      client.disconnect();
    }
  });

  it('refuses to make a single-node client for a Cluster URL', () => {
    assert.throws(() => redisFromUrl('redis-cluster://a:7000', { lazyConnect: true }), /needs a Redis Cluster client/);
  });
});
