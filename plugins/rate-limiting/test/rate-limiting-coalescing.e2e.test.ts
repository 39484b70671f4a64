/**
 * Black-box: the redis policy's exact mode decides concurrent requests on one key in batches; through
 * the real gateway and a real Redis, a large burst still admits exactly the limit, and every admitted
 * request reports the usage it would have seen alone.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { startTestGateway, type TestGateway } from '../../../test/helpers/gateway.js';
import { startTestRedis, type TestRedis } from '../../../support/redis.js';
import { startUpstream, type TestUpstream } from '../../../test/helpers/upstream.js';

const LIMIT = 47;
const BURST = 150;

describe('rate-limiting, redis exact mode under a concurrent burst', () => {
  let upstream: TestUpstream;
  let redis: TestRedis;
  let gw: TestGateway;

  before(async () => {
    [upstream, redis] = await Promise.all([startUpstream(), startTestRedis()]);
    // A 2 s command timeout: the test is about exact counts; with the default 100 ms a slow moment of a
    // loaded machine made the fault-tolerant path admit a request unlimited (the outage suite covers that).
    const plugin = { name: 'rate-limiting', config: { minute: LIMIT, hour: LIMIT + 10, policy: 'redis', limit_by: 'ip', redis: { timeout: 2000 } } };
    gw = await startTestGateway(
      { _format_version: '3.0', services: [{ name: 'svc', url: upstream.url, routes: [{ name: 'burst', paths: ['/burst'], plugins: [plugin] }] }] },
      { REDIS_URL: redis.url },
    );
  });
  after(async () => {
    await gw.close();
    await Promise.all([upstream.close(), redis.close()]);
  });

  it(`admits exactly ${LIMIT} of ${BURST} simultaneous requests, each admitted one seeing its own remaining count`, async () => {
    const answers = await Promise.all(
      Array.from({ length: BURST }, async () => {
        const res = await request(`${gw.url}/burst`);
        await res.body.dump();
        return res;
      }),
    );
    const admitted = answers.filter((answer) => answer.statusCode === 200);
    const refused = answers.filter((answer) => answer.statusCode === 429);
    assert.equal(admitted.length, LIMIT);
    assert.equal(refused.length, BURST - LIMIT);
    const remaining = admitted.map((answer) => Number(answer.headers['x-ratelimit-remaining-minute'])).sort((a, b) => a - b);
    assert.deepEqual(remaining, Array.from({ length: LIMIT }, (_, i) => i));
    for (const answer of refused) {
      assert.equal(answer.headers['x-ratelimit-remaining-minute'], '0');
      assert.equal(answer.headers['x-ratelimit-remaining-hour'], '10');
      assert.ok(Number(answer.headers['retry-after']) >= 1);
    }
    // Counted in Redis as well: a later request is refused too.
    const later = await request(`${gw.url}/burst`);
    await later.body.dump();
    assert.equal(later.statusCode, 429);
  });
});
