/**
 * Black-box: the redis policy through Redis Sentinel, with real masters and a real sentinel — named in
 * the plugin's Kong-style `redis.sentinel_*` options, or inherited from a `redis-sentinel://`
 * GATEHOUSE_REDIS_URL (which also holds the gateway's config). The two name different masters, so
 * each route's counts show which path they took.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { request } from 'undici';
import { writeTempConfig } from '../../../test/helpers/gateway.js';
import { startGatewayProcess, type GatewayProcess } from '../../../test/helpers/gateway-process.js';
import { startTestRedis, startTestSentinel, type TestRedis, type TestSentinel } from '../../../support/redis.js';
import { startUpstream, type TestUpstream } from '../../../test/helpers/upstream.js';

const LIMIT = 3;

async function rateLimitKeys(redis: TestRedis): Promise<number> {
  const client = new Redis({ port: redis.port, host: '127.0.0.1' });
  try {
    return (await client.keys('gatehouse:rl:*')).length;
  } finally {
    client.disconnect();
  }
}

describe('rate-limiting through Redis Sentinel', () => {
  let upstream: TestUpstream;
  let urlMaster: TestRedis;
  let optionsMaster: TestRedis;
  let sentinel: TestSentinel;
  let gateway: GatewayProcess;

  before(async () => {
    [upstream, urlMaster, optionsMaster] = await Promise.all([startUpstream(), startTestRedis(), startTestRedis()]);
    sentinel = await startTestSentinel({ 'url-master': urlMaster, 'options-master': optionsMaster });
    const limited = (name: string, redisOptions: Record<string, unknown>) => ({
      name,
      paths: [`/${name}`],
      // A generous command timeout: this test is about where counts go, not about a slow machine.
      plugins: [{ name: 'rate-limiting', config: { minute: LIMIT, policy: 'redis', limit_by: 'ip', redis: { timeout: 5000, ...redisOptions } } }],
    });
    const config = {
      _format_version: '3.0',
      services: [
        {
          name: 'svc',
          url: upstream.url,
          routes: [
            limited('by-options', { sentinel_master: 'options-master', sentinel_nodes: [{ host: '127.0.0.1', port: sentinel.port }] }),
            limited('by-url', {}),
          ],
        },
      ],
    };
    const configPath = await writeTempConfig(config);
    gateway = await startGatewayProcess({ CONFIG: configPath, REDIS_URL: `redis-sentinel://127.0.0.1:${sentinel.port}/url-master`, ACCESS_LOG: 'false' });
  });
  after(async () => {
    await gateway?.stop();
    await sentinel?.close();
    await Promise.all([upstream?.close(), urlMaster?.close(), optionsMaster?.close()]);
  });

  const cases = [
    { route: 'by-options', master: () => optionsMaster, other: () => urlMaster },
    { route: 'by-url', master: () => urlMaster, other: () => optionsMaster },
  ];
  for (const { route, master, other } of cases) {
    it(`admits exactly ${LIMIT} per minute, counted on the master the sentinel names (${route})`, async () => {
      const [mine, theirs] = [await rateLimitKeys(master()), await rateLimitKeys(other())];
      const statuses: number[] = [];
      for (let i = 0; i < LIMIT + 2; i++) {
        const res = await request(`${gateway.proxyUrl}/${route}`);
        await res.body.dump();
        statuses.push(res.statusCode);
      }
      assert.deepEqual(statuses, [...Array(LIMIT).fill(200), 429, 429]);
      assert.ok((await rateLimitKeys(master())) > mine, 'no new rate-limiting keys on the master this route names');
      assert.equal(await rateLimitKeys(other()), theirs, 'the other master got this route\'s counts');
    });
  }
});
