/** Black-box: request-termination through the real gateway — every way it answers, and that nothing reaches the upstream. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { startTestGateway, type TestGateway } from '../../../test/helpers/gateway.js';
import { registryWithHeaderAuth, TEST_CONSUMER_HEADER } from '../../../test/helpers/header-auth-plugin.js';
import { startUpstream, type TestUpstream } from '../../../test/helpers/upstream.js';

async function get(url: string, headers: Record<string, string> = {}) {
  const res = await request(url, { headers });
  return { status: res.statusCode, headers: res.headers, body: await res.body.text() };
}

describe('request-termination', () => {
  let upstream: TestUpstream;
  let gw: TestGateway;
  const terminated = (name: string, config: Record<string, unknown>) => ({ name, paths: [`/${name}`], plugins: [{ name: 'request-termination', config }] });

  before(async () => {
    upstream = await startUpstream();
    gw = await startTestGateway(
      {
        _format_version: '3.0',
        services: [
          {
            name: 'svc',
            url: upstream.url,
            routes: [
              terminated('default', {}),
              terminated('gone', { status_code: 410, message: 'This API version was retired' }),
              terminated('teapot', { status_code: 418 }),
              terminated('maintenance', { status_code: 503, body: '<h1>Back soon</h1>', content_type: 'text/html; charset=utf-8' }),
              terminated('debug', { echo: true, trigger: 'X-Debug', status_code: 200 }),
              { name: 'per-consumer', paths: ['/per-consumer'] },
            ],
          },
        ],
        consumers: [
          { username: 'blocked', plugins: [{ name: 'request-termination', config: { status_code: 403, message: 'Account suspended' } }] },
          { username: 'fine' },
        ],
        plugins: [{ name: 'test-header-auth' }],
      },
      {},
      registryWithHeaderAuth,
    );
  });
  after(async () => {
    await gw.close();
    await upstream.close();
  });

  it("answers 503 with Kong's default message and the request ID, and calls no upstream", async () => {
    const seen = upstream.seen.length;
    const answer = await get(`${gw.url}/default/anything`);
    assert.equal(answer.status, 503);
    assert.match(String(answer.headers['content-type']), /^application\/json/);
    assert.deepEqual(JSON.parse(answer.body), { message: 'Service unavailable', request_id: answer.headers['x-request-id'] });
    assert.equal(upstream.seen.length, seen);
  });

  it('uses status_code and message, and sends no body for a status without a known message', async () => {
    const gone = await get(`${gw.url}/gone`);
    assert.equal(gone.status, 410);
    assert.equal(JSON.parse(gone.body).message, 'This API version was retired');
    const teapot = await get(`${gw.url}/teapot`);
    assert.equal(teapot.status, 418);
    assert.equal(teapot.body, '');
    assert.equal(teapot.headers['content-length'], '0');
  });

  it('answers with a raw body and its content type', async () => {
    const answer = await get(`${gw.url}/maintenance`);
    assert.equal(answer.status, 503);
    assert.equal(answer.body, '<h1>Back soon</h1>');
    assert.equal(answer.headers['content-type'], 'text/html; charset=utf-8');
  });

  it('echoes the request only when the trigger header or query argument is present, otherwise proxies', async () => {
    const proxied = await get(`${gw.url}/debug/items?x=1`);
    assert.equal(JSON.parse(proxied.body).url, '/items?x=1', 'without the trigger the upstream answers');
    const echoed = await get(`${gw.url}/debug/items?x=1&x=2&flag`, { 'x-debug': '1', 'x-custom': 'yes' });
    assert.equal(echoed.status, 200);
    const body = JSON.parse(echoed.body);
    assert.equal(body.request.method, 'GET');
    assert.equal(body.request.path, '/debug/items');
    assert.deepEqual(body.request.query, { x: ['1', '2'], flag: true });
    assert.equal(body.request.headers['x-custom'], 'yes');
    assert.equal(body.request.scheme, 'http');
    assert.equal(body.matched_route.name, 'debug');
    assert.equal(body.matched_service.name, 'svc');
    const byQuery = await get(`${gw.url}/debug/items?X-Debug`);
    assert.equal(JSON.parse(byQuery.body).request.path, '/debug/items');
  });

  it('blocks one consumer while others pass', async () => {
    const blocked = await get(`${gw.url}/per-consumer`, { [TEST_CONSUMER_HEADER]: 'blocked' });
    assert.equal(blocked.status, 403);
    assert.equal(JSON.parse(blocked.body).message, 'Account suspended');
    assert.equal((await get(`${gw.url}/per-consumer`, { [TEST_CONSUMER_HEADER]: 'fine' })).status, 200);
  });
});
