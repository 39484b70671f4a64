/** Black-box: Kong's routing rules through the real HTTP stack, and a 10,000-route table. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { startTestGateway, type TestGateway } from './helpers/gateway.js';
import { startUpstream, type TestUpstream } from './helpers/upstream.js';

interface Echo {
  url: string;
  headers: Record<string, string>;
}

describe('routing', () => {
  let upstream: TestUpstream;
  let gw: TestGateway;

  before(async () => {
    upstream = await startUpstream((req, res) => res.end(JSON.stringify({ url: req.url, headers: req.headers })));
    // Each service's path is its name, so the upstream URL says which route won.
    const svc = (name: string, routes: Array<Record<string, unknown>>) => ({ name, url: `${upstream.url}/${name}`, routes });
    const routes = Array.from({ length: 10_000 }, (_, i) => ({ name: `bulk-${i}`, paths: [`/bulk/${i}/`] }));
    gw = await startTestGateway({
      _format_version: '3.0',
      services: [
        svc('exact-host', [{ name: 'exact-host', hosts: ['api.example.com'], paths: ['/'] }]),
        svc('wildcard-host', [{ name: 'wildcard-host', hosts: ['*.example.com'], paths: ['/'] }]),
        svc('suffix-wildcard', [{ name: 'suffix-wildcard', hosts: ['internal.*'], paths: ['/'] }]),
        svc('any-host', [{ name: 'any-host', paths: ['/'] }]),
        svc('longer-prefix', [{ name: 'longer-prefix', paths: ['/orders/special'] }]),
        svc('prefix', [{ name: 'prefix', paths: ['/orders'] }]),
        svc('regex', [{ name: 'regex', paths: ['~/orders/(?<id>\\d+)$'], strip_path: false }]),
        svc('regex-high', [{ name: 'regex-high', paths: ['~/items/\\d+'], regex_priority: 10, strip_path: false }]),
        svc('regex-low', [{ name: 'regex-low', paths: ['~/items/'], regex_priority: 1, strip_path: false }]),
        svc('post-only', [{ name: 'post-only', paths: ['/submit'], methods: ['POST'] }]),
        svc('get-only', [{ name: 'get-only', paths: ['/submit'], methods: ['GET'] }]),
        svc('v2', [{ name: 'v2', paths: ['/versioned'], headers: { 'x-version': ['2', '3'] } }]),
        svc('v1', [{ name: 'v1', paths: ['/versioned'] }]),
        svc('no-strip', [{ name: 'no-strip', paths: ['/keep'], strip_path: false }]),
        { name: 'bulk', url: `${upstream.url}/bulk-svc`, routes },
      ],
    });
  });
  after(async () => {
    await gw.close();
    await upstream.close();
  });

  async function get(path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Echo> {
    const res = await request(`${gw.url}${path}`, { headers, method });
    assert.equal(res.statusCode, 200, `${method} ${path}`);
    return (await res.body.json()) as Echo;
  }
  const service = (echo: Echo) => echo.url.split('/')[1];

  it('prefers an exact host, then a wildcard host, then host-less routes', async () => {
    assert.equal(service(await get('/x', { host: 'api.example.com' })), 'exact-host');
    assert.equal(service(await get('/x', { host: 'WWW.Example.com:8000' })), 'wildcard-host');
    assert.equal(service(await get('/x', { host: 'internal.corp' })), 'suffix-wildcard');
    assert.equal(service(await get('/x', { host: 'other.org' })), 'any-host');
  });

  it('takes the longest plain prefix, and regexes by regex_priority', async () => {
    assert.equal(service(await get('/orders/special/1')), 'longer-prefix');
    assert.equal(service(await get('/orders/abc')), 'prefix');
    assert.equal((await get('/orders/42')).url, '/regex/orders/42');
    assert.equal(service(await get('/items/7')), 'regex-high');
    assert.equal(service(await get('/items/x')), 'regex-low');
  });

  it('requires methods and headers to hold', async () => {
    assert.equal(service(await get('/submit', {}, 'POST')), 'post-only');
    assert.equal(service(await get('/submit')), 'get-only');
    assert.equal(service(await get('/versioned', { 'x-version': '3' })), 'v2');
    assert.equal(service(await get('/versioned', { 'x-version': '9' })), 'v1');
    assert.equal(service(await get('/versioned')), 'v1');
  });

  it('strips the matched prefix unless strip_path is false, keeping encoding', async () => {
    assert.equal((await get('/prefix-free/a%2Fb')).url, '/any-host/prefix-free/a%2Fb');
    assert.equal((await get('/orders/abc%20d')).url, '/prefix/abc%20d');
    assert.equal((await get('/keep/x')).url, '/no-strip/keep/x');
  });

  it('routes correctly in a table of 10,000 routes', async () => {
    for (const i of [0, 4_999, 9_999]) assert.equal((await get(`/bulk/${i}/item`)).url, '/bulk-svc/item');
  });
});
