/**
 * Black-box: proxy-cache's redis strategy with a real private Redis — two `gatehouse start`
 * processes sharing it (a hit through one for an answer cached through the other, a purge through one
 * admin API emptying both), Redis going away (the cache is bypassed, requests still succeed) and coming
 * back, and, with the gateway's own GATEHOUSE_REDIS_URL, one upstream call for 50 concurrent misses.
 */
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { request } from 'undici';
import { startTestRedis, type TestRedis } from '../../../support/redis.js';
import { RECENT_READ_MS } from '../strategies/recent-reads.js';
import { adminClient } from '../../../test/helpers/admin.js';
import { arrivals, registryWithArrivalGate } from '../../../test/helpers/arrival-gate-plugin.js';
import { startGatewayProcess, type GatewayProcess } from '../../../test/helpers/gateway-process.js';
import { eventuallyAsync, startTestGateway, writeTempConfig, type TestGateway } from '../../../test/helpers/gateway.js';
import { startUpstream, type TestUpstream } from '../../../test/helpers/upstream.js';

interface Answer {
  status: number;
  cache: string | string[] | undefined;
  key: string;
  body: string;
}

async function get(base: string, path: string): Promise<Answer> {
  const res = await request(`${base}${path}`);
  return { status: res.statusCode, cache: res.headers['x-cache-status'], key: String(res.headers['x-cache-key']), body: await res.body.text() };
}

/** An upstream answering JSON with its call number per path; `/gate` paths wait for `gate`. */
function countingUpstream(calls: Map<string, number>, gate: () => Promise<void>): Promise<TestUpstream> {
  return startUpstream(async (req, res) => {
    req.resume();
    const call = (calls.get(req.url!) ?? 0) + 1;
    calls.set(req.url!, call);
    if (req.url!.startsWith('/gate')) await gate();
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ call, url: req.url }));
  });
}

describe('proxy-cache (redis, shared by two instances)', () => {
  let redis: TestRedis;
  let upstream: TestUpstream;
  let one: GatewayProcess;
  let two: GatewayProcess;
  const calls = new Map<string, number>();

  before(async () => {
    [redis, upstream] = await Promise.all([startTestRedis(), countingUpstream(calls, async () => undefined)]);
    const config = await writeTempConfig({
      _format_version: '3.0',
      services: [
        {
          name: 'svc',
          url: upstream.url,
          routes: [{ name: 'shared', paths: ['/shared'] }],
          plugins: [{ name: 'proxy-cache', config: { strategy: 'redis', redis: { host: '127.0.0.1', port: redis.port } } }],
        },
      ],
    });
    [one, two] = await Promise.all([startGatewayProcess({ CONFIG: config, ACCESS_LOG: 'false' }), startGatewayProcess({ CONFIG: config, ACCESS_LOG: 'false' })]);
    // Each plugin connects to Redis on its own after the start; until then requests bypass the cache.
    for (const gateway of [one, two]) {
      await eventuallyAsync(async () => ((await get(gateway.proxyUrl, '/shared/warm-up')).cache === 'Bypass' ? undefined : true), 'the Redis connection');
    }
  });
  after(async () => {
    await Promise.all([one?.stop(), two?.stop()]);
    await Promise.all([upstream.close(), redis.close()]);
  });

  /**
   * A miss through `gateway`, once its answer is in Redis: an answer is written just after it was
   * sent, so a request racing ahead of that write would miss too.
   */
  async function cachedThrough(gateway: GatewayProcess, path: string): Promise<Answer> {
    const miss = await get(gateway.proxyUrl, path);
    assert.equal(miss.cache, 'Miss', path);
    await eventuallyAsync(async () => ((await adminClient(gateway.adminUrl)('GET', `/proxy-cache/${miss.key}`)).status === 200 ? true : undefined), 'the entry in Redis');
    return miss;
  }

  it('serves through one instance what was cached through the other', async () => {
    const miss = await cachedThrough(one, '/shared/item');
    const hit = await get(two.proxyUrl, '/shared/item');
    assert.equal(hit.cache, 'Hit');
    assert.equal(hit.key, miss.key);
    assert.equal(hit.body, miss.body);
    assert.equal(calls.get('/item'), 1);
    const entry = await adminClient(two.adminUrl)('GET', `/proxy-cache/${miss.key}`);
    assert.equal(entry.status, 200);
    assert.equal(entry.body.body, miss.body);
  });

  it('empties the cache of both instances by a purge through one admin API', async () => {
    await cachedThrough(one, '/shared/purged');
    await cachedThrough(one, '/shared/also-purged');
    assert.equal((await get(two.proxyUrl, '/shared/purged')).cache, 'Hit');
    assert.equal((await adminClient(one.adminUrl)('DELETE', '/proxy-cache')).status, 204);
    await cachedThrough(two, '/shared/purged');
    await cachedThrough(one, '/shared/also-purged');
    assert.equal((await get(one.proxyUrl, '/shared/purged')).cache, 'Hit');
  });

  it('purges one key through either instance', async () => {
    const miss = await cachedThrough(two, '/shared/one-key');
    assert.equal((await adminClient(one.adminUrl)('DELETE', `/proxy-cache/${miss.key}`)).status, 204);
    assert.equal((await adminClient(two.adminUrl)('GET', `/proxy-cache/${miss.key}`)).status, 404);
    assert.equal((await get(two.proxyUrl, '/shared/one-key')).cache, 'Miss');
  });

  it('bypasses the cache while Redis is down, and caches again once it is back', async () => {
    await cachedThrough(one, '/shared/outage');
    await redis.stop();
    // An entry read in the last RECENT_READ_MS may still be served until the instance sees the
    // connection closed (recent-reads.ts): past that, nothing can come from the cache.
    await sleep(RECENT_READ_MS);
    try {
      for (const gateway of [one, two]) {
        const answer = await get(gateway.proxyUrl, '/shared/outage');
        assert.equal(answer.status, 200);
        assert.equal(answer.cache, 'Bypass');
      }
      assert.equal((await adminClient(one.adminUrl)('DELETE', '/proxy-cache')).status, 503);
    } finally {
      await redis.start();
    }
    // The clients reconnect on their own (until then: Bypass); the restarted Redis is empty.
    const answerOnceBack = (gateway: GatewayProcess) =>
      eventuallyAsync(async () => {
        const answer = await get(gateway.proxyUrl, '/shared/outage');
        return answer.cache === 'Bypass' ? undefined : answer;
      }, 'the Redis connection back');
    const miss = await answerOnceBack(one);
    assert.equal(miss.cache, 'Miss');
    await eventuallyAsync(async () => ((await adminClient(one.adminUrl)('GET', `/proxy-cache/${miss.key}`)).status === 200 ? true : undefined), 'the entry in Redis');
    assert.equal((await answerOnceBack(two)).cache, 'Hit');
    assert.match(one.output(), /proxy-cache store unavailable; requests bypass the cache/);
  });
});

describe("proxy-cache (redis, the gateway's GATEHOUSE_REDIS_URL)", () => {
  let redis: TestRedis;
  let upstream: TestUpstream;
  let gw: TestGateway;
  const calls = new Map<string, number>();
  let gate: Promise<void> = Promise.resolve();

  before(async () => {
    [redis, upstream] = await Promise.all([startTestRedis(), countingUpstream(calls, () => gate)]);
    gw = await startTestGateway(
      {
        _format_version: '3.0',
        services: [{ name: 'svc', url: upstream.url, routes: [{ name: 'hot', paths: ['/hot'], plugins: [{ name: 'proxy-cache', config: { strategy: 'redis' } }] }] }],
        plugins: [{ name: 'test-arrival-gate' }],
      },
      { REDIS_URL: redis.url, SNAPSHOT: join(await mkdtemp(join(tmpdir(), 'gatehouse-pc-')), 'snapshot.json') },
      registryWithArrivalGate,
    );
    await eventuallyAsync(async () => ((await get(gw.url, '/hot/warm-up')).cache === 'Bypass' ? undefined : true), 'the Redis connection');
  });
  after(async () => {
    await gw.close();
    await Promise.all([upstream.close(), redis.close()]);
  });

  it('makes one upstream call for 50 concurrent misses, and keeps the entry in that Redis', async () => {
    // The upstream holds its answer until all 50 requests are inside the gateway.
    gate = arrivals(50);
    const answers = await Promise.all(Array.from({ length: 50 }, () => get(gw.url, '/hot/gate')));
    assert.equal(calls.get('/gate'), 1);
    assert.ok(answers.every((answer) => answer.status === 200 && JSON.parse(answer.body).call === 1));
    assert.equal(answers.filter((answer) => answer.cache === 'Miss').length, 1);
    const client = new Redis(redis.port, '127.0.0.1');
    try {
      await eventuallyAsync(async () => ((await client.exists(`gatehouse:pc:${answers[0]!.key}`)) === 1 ? true : undefined), 'the entry in Redis');
    } finally {
      client.disconnect();
    }
    assert.equal((await get(gw.url, '/hot/gate')).cache, 'Hit');
  });
});

describe('proxy-cache (redis, none configured)', () => {
  it('rejects a config whose redis strategy names no Redis, saying what is missing', async () => {
    const config = {
      _format_version: '3.0',
      services: [{ name: 'svc', url: 'http://127.0.0.1:9', routes: [{ name: 'r', paths: ['/r'] }], plugins: [{ name: 'proxy-cache', config: { strategy: 'redis' } }] }],
    };
    await assert.rejects(startTestGateway(config), (error: Error & { issues?: { message: string }[] }) => {
      assert.match(error.issues?.[0]?.message ?? '', /^strategy redis needs config\.redis\.host, config\.redis\.sentinel_master or the GATEHOUSE_REDIS_URL setting$/);
      return true;
    });
  });
});
