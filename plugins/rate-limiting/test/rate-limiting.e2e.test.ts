/** Black-box: the rate-limiting plugin through the real gateway, with a real upstream and a private real Redis. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { startTestGateway, type TestGateway } from '../../../test/helpers/gateway.js';
import { registryWithHeaderAuth, TEST_CONSUMER_HEADER } from '../../../test/helpers/header-auth-plugin.js';
import { startTestRedis, type TestRedis } from '../../../support/redis.js';
import { startUpstream, type TestUpstream } from '../../../test/helpers/upstream.js';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

async function get(url: string, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await request(url, { headers });
  return { status: res.statusCode, headers: res.headers, body: await res.body.text() };
}

/** Sends `count` requests at once; returns their statuses. */
async function burst(url: string, count: number, headers: (i: number) => Record<string, string> = () => ({})): Promise<number[]> {
  const answers = await Promise.all(Array.from({ length: count }, (_, i) => get(url, headers(i))));
  return answers.map((answer) => answer.status);
}

const admitted = (statuses: number[]) => statuses.filter((s) => s === 200).length;

/**
 * The redis policy's routes: these tests are about exact counts, not outages. With the default 100 ms
 * command timeout a slow moment of a loaded machine made the fault-tolerant path admit a request
 * unlimited (the outage suite covers that path).
 */
const redisPolicy = { policy: 'redis', redis: { timeout: 2000 } } as const;

function route(name: string, config: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return { name, paths: [`/${name}`], plugins: [{ name: 'rate-limiting', config }], ...extra };
}

describe('rate-limiting', () => {
  let upstream: TestUpstream;
  let redis: TestRedis;
  let gw: TestGateway;
  const config = () => ({
    _format_version: '3.0',
    services: [
      {
        name: 'svc',
        url: upstream.url,
        routes: [
          route('local', { minute: 5, limit_by: 'ip' }),
          route('redis', { minute: 20, ...redisPolicy, limit_by: 'ip' }),
          route('cluster-alias', { minute: 3, ...redisPolicy, policy: 'cluster', limit_by: 'ip', hide_client_headers: true }),
          route('sync', { minute: 15, ...redisPolicy, sync_rate: 0.2, limit_by: 'ip' }),
          route('custom-error', { second: 1, hour: 1, ...redisPolicy, error_code: 503, error_message: 'slow down' }),
          route('by-header', { minute: 2, limit_by: 'header', header_name: 'x-api-client', ...redisPolicy }),
          route('boundary', { second: 5, ...redisPolicy, limit_by: 'ip' }),
          route('quota', { day: 3, month: 100, ...redisPolicy, limit_by: 'consumer' }),
        ],
      },
    ],
    consumers: [
      {
        username: 'alice',
        // A usage plan for alice on the quota route: wins over the route's default.
        plugins: [{ name: 'rate-limiting', route: 'quota', config: { day: 5, month: 100, ...redisPolicy, limit_by: 'consumer' } }],
      },
      { username: 'bob' },
    ],
    plugins: [{ name: 'test-header-auth' }],
  });

  before(async () => {
    [upstream, redis] = await Promise.all([startUpstream(), startTestRedis()]);
    gw = await startTestGateway(config(), { REDIS_URL: redis.url }, registryWithHeaderAuth);
  });
  after(async () => {
    await gw.close();
    await Promise.all([upstream.close(), redis.close()]);
  });

  it('lets exactly N through per window (local policy) with Kong headers, then 429 with Retry-After and the JSON body', async () => {
    const answers: Answer[] = [];
    for (let i = 0; i < 6; i++) answers.push(await get(`${gw.url}/local`));
    assert.deepEqual(answers.map((a) => a.status), [200, 200, 200, 200, 200, 429]);
    assert.deepEqual(answers.map((a) => a.headers['x-ratelimit-remaining-minute']), ['4', '3', '2', '1', '0', '0']);
    const [first, , , , , refused] = answers;
    assert.equal(first!.headers['x-ratelimit-limit-minute'], '5');
    assert.equal(first!.headers['ratelimit-limit'], '5');
    assert.equal(first!.headers['ratelimit-remaining'], '4');
    assert.ok(Number(first!.headers['ratelimit-reset']) >= 1 && Number(first!.headers['ratelimit-reset']) <= 66);
    const retryAfter = Number(refused!.headers['retry-after']);
    assert.ok(retryAfter >= 1 && retryAfter <= 66, `Retry-After ${retryAfter}`);
    assert.equal(refused!.headers['ratelimit-reset'], refused!.headers['retry-after']);
    const body = JSON.parse(refused!.body) as Record<string, string>;
    assert.deepEqual(body, { message: 'API rate limit exceeded', error: 'rate_limited', request_id: refused!.headers['x-request-id'] });
  });

  it('admits exactly N of a concurrent burst with the redis policy', async () => {
    const statuses = await burst(`${gw.url}/redis`, 50);
    assert.equal(admitted(statuses), 20);
    assert.equal(statuses.filter((s) => s === 429).length, 30);
  });

  it('accepts cluster as an alias of redis, and hide_client_headers removes the headers but keeps Retry-After', async () => {
    const answers: Answer[] = [];
    for (let i = 0; i < 4; i++) answers.push(await get(`${gw.url}/cluster-alias`));
    assert.deepEqual(answers.map((a) => a.status), [200, 200, 200, 429]);
    for (const answer of answers) {
      assert.equal(answer.headers['x-ratelimit-limit-minute'], undefined);
      assert.equal(answer.headers['ratelimit-remaining'], undefined);
    }
    assert.ok(Number(answers[3]!.headers['retry-after']) >= 1);
  });

  it('admits exactly N with sync_rate on a single instance', async () => {
    const first = await burst(`${gw.url}/sync`, 10);
    const second = await burst(`${gw.url}/sync`, 10);
    assert.equal(admitted(first) + admitted(second), 15);
  });

  it('uses error_code and error_message, and reports every configured window', async () => {
    const ok = await get(`${gw.url}/custom-error`);
    assert.equal(ok.status, 200);
    assert.equal(ok.headers['x-ratelimit-limit-second'], '1');
    assert.equal(ok.headers['x-ratelimit-limit-hour'], '1');
    const refused = await get(`${gw.url}/custom-error`);
    assert.equal(refused.status, 503);
    assert.equal((JSON.parse(refused.body) as { message: string }).message, 'slow down');
    // The hour window is the one that stays exceeded: Retry-After points past it, not past the second.
    assert.ok(Number(refused.headers['retry-after']) > 60);
  });

  it('does not let a spoofed X-Forwarded-For change the key (no trusted proxies)', async () => {
    const statuses = await burst(`${gw.url}/redis?spoof`, 5, (i) => ({ 'x-forwarded-for': `203.0.113.${i}` }));
    // The /redis counter for 127.0.0.1 was used up by the burst test above.
    assert.deepEqual(statuses, [429, 429, 429, 429, 429]);
  });

  it('counts limit_by header per header value', async () => {
    const a = await burst(`${gw.url}/by-header`, 3, () => ({ 'x-api-client': 'a' }));
    const b = await burst(`${gw.url}/by-header`, 3, () => ({ 'x-api-client': 'b' }));
    assert.equal(admitted(a), 2);
    assert.equal(admitted(b), 2);
  });

  it('keeps a burst across a window boundary within the limit (sliding window)', async () => {
    // Start the first burst late in a second so the second burst falls in the next one.
    await new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000) + 850));
    const before = await burst(`${gw.url}/boundary`, 5);
    await new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000) + 50));
    const afterBoundary = await burst(`${gw.url}/boundary`, 5);
    assert.equal(admitted(before), 5);
    assert.equal(admitted(afterBoundary), 0);
  });

  it('applies per-consumer quotas, with the consumer+route plugin overriding the route default, and keeps them across a restart', async () => {
    const quota = `${gw.url}/quota`;
    const bob = await burst(quota, 6, () => ({ [TEST_CONSUMER_HEADER]: 'bob' }));
    const alice = await burst(quota, 8, () => ({ [TEST_CONSUMER_HEADER]: 'alice' }));
    assert.equal(admitted(bob), 3);
    assert.equal(admitted(alice), 5);
    const aliceHeaders = await get(quota, { [TEST_CONSUMER_HEADER]: 'alice' });
    assert.equal(aliceHeaders.headers['x-ratelimit-limit-day'], '5');

    await gw.close();
    gw = await startTestGateway(config(), { REDIS_URL: redis.url }, registryWithHeaderAuth);
    assert.equal((await get(`${gw.url}/quota`, { [TEST_CONSUMER_HEADER]: 'alice' })).status, 429);
    assert.equal((await get(`${gw.url}/quota`, { [TEST_CONSUMER_HEADER]: 'bob' })).status, 429);
  });
});
