/** Black-box: three gateway processes sharing one real Redis keep a limit cluster-wide (redis policy, exact mode). */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { writeTempConfig } from '../../../test/helpers/gateway.js';
import { startGatewayProcess, type GatewayProcess } from '../../../test/helpers/gateway-process.js';
import { startTestRedis, type TestRedis } from '../../../support/redis.js';
import { startUpstream, type TestUpstream } from '../../../test/helpers/upstream.js';

const LIMIT = 300;
const REQUESTS_PER_GATEWAY = 200;
const CONCURRENCY_PER_GATEWAY = 10;

describe('rate-limiting across gateway processes', () => {
  let upstream: TestUpstream;
  let redis: TestRedis;
  let gateways: GatewayProcess[] = [];

  before(async () => {
    [upstream, redis] = await Promise.all([startUpstream(), startTestRedis()]);
    const config = {
      _format_version: '3.0',
      services: [{ name: 'svc', url: upstream.url, routes: [{ name: 'limited', paths: ['/limited'] }] }],
      // A generous command timeout: this test is about accuracy, and on a loaded CI machine a 100 ms
      // timeout would let requests through fault-tolerantly (that path has its own outage test).
      plugins: [{ name: 'rate-limiting', config: { minute: LIMIT, policy: 'redis', limit_by: 'ip', redis: { timeout: 5000 } } }],
    };
    const configPath = await writeTempConfig(config);
    gateways = await Promise.all([0, 1, 2].map(() => startGatewayProcess({ CONFIG: configPath, REDIS_URL: redis.url, ACCESS_LOG: 'false' })));
  });
  after(async () => {
    await Promise.all(gateways.map((gateway) => gateway.stop()));
    await Promise.all([upstream.close(), redis.close()]);
  });

  it(`admits ${LIMIT} of ${3 * REQUESTS_PER_GATEWAY} requests spread over 3 instances (within 1%)`, async () => {
    const statuses: number[] = [];
    const load = async (url: string) => {
      let sent = 0;
      const worker = async () => {
        while (sent++ < REQUESTS_PER_GATEWAY) {
          const res = await request(`${url}/limited`);
          await res.body.dump();
          statuses.push(res.statusCode);
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY_PER_GATEWAY }, worker));
    };
    await Promise.all(gateways.map((gateway) => load(gateway.proxyUrl)));
    const admitted = statuses.filter((s) => s === 200).length;
    assert.equal(statuses.length, 3 * REQUESTS_PER_GATEWAY);
    assert.equal(statuses.filter((s) => s !== 200 && s !== 429).length, 0);
    assert.ok(Math.abs(admitted - LIMIT) <= LIMIT * 0.01, `admitted ${admitted}, limit ${LIMIT}`);
  });
});
