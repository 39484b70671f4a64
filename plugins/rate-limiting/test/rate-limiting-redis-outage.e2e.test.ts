/** Black-box: rate limiting while its private Redis is killed mid-traffic and started again. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { startTestGateway, type TestGateway } from '../../../test/helpers/gateway.js';
import { startTestRedis, type TestRedis } from '../../../support/redis.js';
import { startUpstream, type TestUpstream } from '../../../test/helpers/upstream.js';

async function get(url: string): Promise<{ status: number; limited: boolean; body: string }> {
  const res = await request(url);
  return { status: res.statusCode, limited: res.headers['x-ratelimit-limit-minute'] !== undefined, body: await res.body.text() };
}

describe('rate-limiting when Redis fails', () => {
  let upstream: TestUpstream;
  let redis: TestRedis;
  let gw: TestGateway;

  before(async () => {
    [upstream, redis] = await Promise.all([startUpstream(), startTestRedis()]);
    const limits = { minute: 3, policy: 'redis', limit_by: 'ip' };
    gw = await startTestGateway(
      {
        _format_version: '3.0',
        services: [
          {
            name: 'svc',
            url: upstream.url,
            routes: [
              { name: 'tolerant', paths: ['/tolerant'], plugins: [{ name: 'rate-limiting', config: limits }] },
              { name: 'strict', paths: ['/strict'], plugins: [{ name: 'rate-limiting', config: { ...limits, fault_tolerant: false } }] },
              { name: 'synced', paths: ['/synced'], plugins: [{ name: 'rate-limiting', config: { ...limits, sync_rate: 0.1 } }] },
            ],
          },
        ],
      },
      { REDIS_URL: redis.url },
    );
  });
  after(async () => {
    await gw.close();
    await Promise.all([upstream.close(), redis.close()]);
  });

  it('lets requests through unlimited (fault_tolerant), answers 500 (not fault_tolerant), and resumes limiting when Redis is back', async () => {
    for (const path of ['/tolerant', '/synced']) {
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await get(`${gw.url}${path}`)).status);
      assert.deepEqual(statuses, [200, 200, 200, 429], path);
    }

    await redis.stop();
    for (let i = 0; i < 20; i++) {
      const tolerant = await get(`${gw.url}/tolerant`);
      assert.equal(tolerant.status, 200);
      assert.equal(tolerant.limited, false);
      const strict = await get(`${gw.url}/strict`);
      assert.equal(strict.status, 500);
      assert.equal((JSON.parse(strict.body) as { message: string }).message, 'An unexpected error occurred');
    }
    // The sync_rate store decides from memory until its next sync fails; from then on it lets requests through.
    await waitFor(`${gw.url}/synced`, (answer) => answer.status === 200 && !answer.limited);

    const warnings = gw.logs.filter((line) => line.level === 'warn' && line.msg.startsWith('rate-limiting store unavailable'));
    assert.ok(warnings.length >= 1, 'the outage is logged');
    assert.ok(warnings.length <= 6, `the outage is logged at a bounded rate, not per request (${warnings.length} lines for 40+ failures)`);
    const metrics = await (await request(`${gw.adminUrl}/metrics`)).body.text();
    const failures = Number(/^gatehouse_rate_limiting_store_failures_total (\d+)$/m.exec(metrics)?.[1]);
    assert.ok(failures >= 40, `every failed store call is counted (${failures})`);

    await redis.start();
    // Redis came back empty: once reconnected, each route admits 3 again and then refuses.
    for (const path of ['/tolerant', '/strict', '/synced']) {
      await waitFor(`${gw.url}${path}`, (answer) => answer.limited);
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await get(`${gw.url}${path}`)).status);
      assert.deepEqual(statuses, [200, 200, 429, 429], path);
    }
  });
});

/** Polls the route until an answer satisfies `done` (e.g. rate-limit headers again once the client reconnected). */
async function waitFor(url: string, done: (answer: Awaited<ReturnType<typeof get>>) => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!done(await get(url))) {
    if (Date.now() > deadline) throw new Error(`${url} did not reach the expected state`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
