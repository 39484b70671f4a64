/**
 * Black-box: proxy-cache (memory strategy) through the real gateway against a real upstream that
 * counts its calls — each of Kong's options, the cache headers, consumers kept apart, transforms on
 * hits, request coalescing under 50 concurrent misses, and the admin API's purge and read.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { adminClient, type AdminCall } from '../../../test/helpers/admin.js';
import { arrivalGatePlugin, arrivals } from '../../../test/helpers/arrival-gate-plugin.js';
import { bundledWith } from '../../../test/helpers/bundled-plugins.js';
import { startTestGateway, type TestGateway } from '../../../test/helpers/gateway.js';
import { headerAuthPlugin, TEST_CONSUMER_HEADER } from '../../../test/helpers/header-auth-plugin.js';
import { startUpstream, type TestUpstream } from '../../../test/helpers/upstream.js';

type Headers = Record<string, string | string[] | undefined>;

interface Answer {
  status: number;
  headers: Headers;
  body: string;
  /** The upstream's call number in the body (which call made this answer). */
  call: number | undefined;
}

describe('proxy-cache (memory)', () => {
  let upstream: TestUpstream;
  let gw: TestGateway;
  let admin: AdminCall;
  /** Calls the upstream received per path (without the query). */
  const calls = new Map<string, number>();
  let gate: Promise<void> = Promise.resolve();

  const cached = (name: string, config: Record<string, unknown>, extra: unknown[] = []) => ({
    name,
    paths: [`/${name}`],
    plugins: [{ name: 'proxy-cache', config: { strategy: 'memory', ...config } }, ...extra],
  });

  before(async () => {
    upstream = await startUpstream(async (req, res) => {
      req.resume();
      const url = new URL(req.url!, 'http://upstream');
      const call = (calls.get(url.pathname) ?? 0) + 1;
      calls.set(url.pathname, call);
      const param = (name: string) => url.searchParams.get(name);
      if (url.pathname.endsWith('/gate')) await gate;
      const headers: Record<string, string | string[]> = { 'content-type': param('type') ?? 'application/json', etag: `"v${call}"`, 'x-upstream': 'yes', age: '99' };
      if (param('cc')) headers['cache-control'] = param('cc')!;
      if (param('cookie')) headers['set-cookie'] = ['session=1'];
      if (param('vary')) headers.vary = param('vary')!;
      const status = Number(param('status') ?? 200);
      if (param('bytes')) {
        const body = Buffer.alloc(Number(param('bytes')), 'x');
        if (!param('chunked')) headers['content-length'] = String(body.length);
        res.writeHead(status, headers);
        res.end(body);
        return;
      }
      res.writeHead(status, headers);
      res.end(JSON.stringify({ call, url: req.url, method: req.method, lang: req.headers['accept-language'] ?? null }));
    });
    gw = await startTestGateway(
      {
        _format_version: '3.0',
        consumers: [{ username: 'alice' }, { username: 'bob' }],
        services: [
          {
            name: 'svc',
            url: upstream.url,
            routes: [
              cached('mem', {}),
              cached('short', { cache_ttl: 1, storage_ttl: 60 }),
              cached('gone', { cache_ttl: 300, storage_ttl: 1 }),
              cached('cc', { cache_control: true }),
              cached('vary', { vary_headers: ['Accept-Language'], vary_query_params: ['page'] }),
              cached('case', { ignore_uri_case: true }),
              cached('quiet', { response_headers: { age: false, 'X-Cache-Status': false, 'X-Cache-Key': false } }),
              cached('small', { max_body_bytes: 100, content_type: ['text/plain'] }),
              cached('lru', { memory: { dictionary_name: 'tiny', dictionary_size: 1000 }, content_type: ['text/plain'] }),
              cached('methods', { request_method: ['GET', 'POST'], response_code: [200, 201] }),
              cached('types', { content_type: ['application/json; charset=utf-8', 'image/*'] }),
              cached('transformed', {}, [{ name: 'response-transformer', config: { add: { json: ['via:gatehouse'], headers: ['x-added:1'] }, append: { headers: ['x-list:b'] } } }]),
              cached('coalesce', {}),
              { name: 'per-consumer', paths: ['/per-consumer'], plugins: [{ name: 'proxy-cache', config: { strategy: 'memory' } }, { name: 'test-header-auth' }] },
            ],
          },
        ],
        plugins: [{ name: 'test-arrival-gate' }],
      },
      {},
      bundledWith(headerAuthPlugin, arrivalGatePlugin),
    );
    admin = adminClient(gw.adminUrl);
  });
  after(async () => {
    await gw.close();
    await upstream.close();
  });

  async function send(path: string, options: { method?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
    const res = await request(`${gw.url}${path}`, { method: (options.method ?? 'GET') as 'GET', headers: options.headers });
    const body = await res.body.text();
    let call: number | undefined;
    try {
      call = (JSON.parse(body) as { call?: number }).call;
    } catch {
      call = undefined;
    }
    return { status: res.statusCode, headers: res.headers, body, call };
  }
  const status = (answer: Answer) => answer.headers['x-cache-status'];
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it('misses once, then hits without calling the upstream, with the same key, an Age and the upstream\'s own headers', async () => {
    const miss = await send('/mem/items?b=2&a=1');
    assert.equal(status(miss), 'Miss');
    assert.match(String(miss.headers['x-cache-key']), /^[0-9a-f]{64}$/);
    assert.equal(miss.headers.age, '99', 'a miss passes the upstream answer through');
    const hit = await send('/mem/items?a=1&b=2');
    assert.equal(status(hit), 'Hit');
    assert.equal(hit.headers['x-cache-key'], miss.headers['x-cache-key']);
    assert.equal(hit.call, miss.call);
    assert.equal(hit.body, miss.body);
    assert.equal(hit.headers.etag, miss.headers.etag);
    assert.equal(hit.headers['x-upstream'], 'yes');
    assert.match(String(hit.headers.age), /^\d+$/);
    assert.notEqual(hit.headers.age, '99', "Age is the entry's, not the upstream's");
    assert.equal(hit.headers['content-length'], String(Buffer.byteLength(hit.body)));
    assert.ok(hit.headers['x-request-id']);
    assert.equal(calls.get('/items'), 1);
  });

  it('answers HEAD from the GET entry, with its length and no body', async () => {
    const get = await send('/mem/head-test');
    const head = await request(`${gw.url}/mem/head-test`, { method: 'HEAD' });
    assert.equal(head.headers['x-cache-status'], 'Hit');
    assert.equal(head.headers['content-length'], String(Buffer.byteLength(get.body)));
    assert.equal(await head.body.text(), '');
    assert.equal(calls.get('/head-test'), 1);
  });

  it('bypasses methods, statuses, content types and Set-Cookie it must not keep', async () => {
    assert.equal(status(await send('/mem/post', { method: 'POST' })), 'Bypass');
    assert.equal(status(await send('/mem/post', { method: 'POST' })), 'Bypass');
    assert.equal(calls.get('/post'), 2);
    for (const query of ['status=500', 'type=text/html', 'type=application/json;%20charset=utf-8', 'cookie=1', 'vary=Accept-Encoding']) {
      const first = await send(`/mem/not-kept?${query}`);
      assert.equal(status(first), 'Bypass', query);
      assert.ok(first.headers['x-cache-key'], 'the key was made before the answer was judged');
      assert.equal(status(await send(`/mem/not-kept?${query}`)), 'Bypass', query);
    }
    assert.equal(status(await send('/mem/found?status=404')), 'Miss');
    assert.equal(status(await send('/mem/found?status=404')), 'Hit', '404 is one of the default response codes');
  });

  it('keeps what request_method, response_code and content_type add', async () => {
    assert.equal(status(await send('/methods/create?status=201', { method: 'POST' })), 'Miss');
    assert.equal(status(await send('/methods/create?status=201', { method: 'POST' })), 'Hit');
    assert.equal(status(await send('/types/a?type=application/json;%20charset=utf-8')), 'Miss');
    assert.equal(status(await send('/types/a?type=application/json;%20charset=utf-8')), 'Hit');
    assert.equal(status(await send('/types/b?type=image/png')), 'Miss');
    assert.equal(status(await send('/types/b?type=image/png')), 'Hit');
    assert.equal(status(await send('/types/c')), 'Bypass', 'plain application/json is not listed there');
  });

  it('refreshes an entry past cache_ttl, and misses one past storage_ttl', async () => {
    await send('/short/stale');
    assert.equal(status(await send('/short/stale')), 'Hit');
    await send('/gone/dropped');
    await sleep(2100);
    const refreshed = await send('/short/stale');
    assert.equal(status(refreshed), 'Refresh');
    assert.equal(refreshed.call, 2);
    assert.equal(status(await send('/short/stale')), 'Hit');
    assert.equal(status(await send('/gone/dropped')), 'Miss', 'the store dropped it after storage_ttl');
  });

  it('honours Cache-Control with cache_control on', async () => {
    assert.equal(status(await send('/cc/none')), 'Bypass', 'an answer without a lifetime is not kept');
    assert.equal(status(await send('/cc/private?cc=private,max-age=60')), 'Bypass');
    assert.equal(status(await send('/cc/nostore?cc=no-store')), 'Bypass');
    assert.equal(status(await send('/cc/fresh?cc=max-age=60')), 'Miss');
    assert.equal(status(await send('/cc/fresh?cc=max-age=60')), 'Hit');
    assert.equal(status(await send('/cc/fresh?cc=max-age=60', { headers: { 'cache-control': 'no-cache' } })), 'Bypass');
    assert.equal(status(await send('/cc/fresh?cc=max-age=60', { headers: { authorization: 'Bearer x' } })), 'Bypass');
    assert.equal(status(await send('/cc/fresh?cc=max-age=60', { headers: { 'cache-control': 'max-age=0' } })), 'Refresh');
    assert.equal(status(await send('/cc/fresh?cc=max-age=60', { headers: { 'cache-control': 'min-fresh=120' } })), 'Refresh');
    const onlyCached = await send('/cc/never-seen?cc=max-age=60', { headers: { 'cache-control': 'only-if-cached' } });
    assert.equal(onlyCached.status, 504);
    assert.equal(calls.get('/never-seen'), undefined);
  });

  it('keys on vary_headers and vary_query_params only', async () => {
    const de = await send('/vary/list?page=1&utm=a', { headers: { 'accept-language': 'de' } });
    assert.equal(status(de), 'Miss');
    assert.equal(status(await send('/vary/list?page=1&utm=b', { headers: { 'accept-language': 'de' } })), 'Hit');
    assert.equal(status(await send('/vary/list?page=1', { headers: { 'accept-language': 'fr' } })), 'Miss');
    assert.equal(status(await send('/vary/list?page=2', { headers: { 'accept-language': 'de' } })), 'Miss');
    assert.equal(status(await send('/vary/keyed?vary=Accept-Language')), 'Miss', 'a Vary on a keyed header is fine');
    assert.equal(status(await send('/vary/keyed?vary=Accept-Language')), 'Hit');
  });

  it('ignores the path\'s case with ignore_uri_case', async () => {
    assert.equal(status(await send('/case/Items')), 'Miss');
    assert.equal(status(await send('/case/items')), 'Hit');
    assert.equal(status(await send('/mem/Case-Sensitive')), 'Miss');
    assert.equal(status(await send('/mem/case-sensitive')), 'Miss');
  });

  it('never serves one consumer\'s answer to another', async () => {
    const alice = await send('/per-consumer/me', { headers: { [TEST_CONSUMER_HEADER]: 'alice' } });
    const bob = await send('/per-consumer/me', { headers: { [TEST_CONSUMER_HEADER]: 'bob' } });
    const anonymous = await send('/per-consumer/me');
    assert.deepEqual([status(alice), status(bob), status(anonymous)], ['Miss', 'Miss', 'Miss']);
    assert.notEqual(alice.headers['x-cache-key'], bob.headers['x-cache-key']);
    const aliceAgain = await send('/per-consumer/me', { headers: { [TEST_CONSUMER_HEADER]: 'alice' } });
    assert.equal(status(aliceAgain), 'Hit');
    assert.equal(aliceAgain.call, alice.call);
  });

  it('sends no cache headers when response_headers turns them off', async () => {
    await send('/quiet/silent');
    const hit = await send('/quiet/silent');
    assert.equal(hit.call, 1);
    assert.equal(hit.headers['x-cache-status'], undefined);
    assert.equal(hit.headers['x-cache-key'], undefined);
    assert.equal(hit.headers.age, undefined);
  });

  it('streams a body over max_body_bytes through uncached, declared or chunked', async () => {
    assert.equal(status(await send('/small/declared?type=text/plain&bytes=101')), 'Bypass');
    const chunked = await send('/small/chunked?type=text/plain&bytes=5000&chunked=1');
    assert.equal(status(chunked), 'Miss');
    assert.equal(chunked.body.length, 5000);
    assert.equal(status(await send('/small/chunked?type=text/plain&bytes=5000&chunked=1')), 'Miss', 'it was not kept');
    assert.equal(status(await send('/small/fits?type=text/plain&bytes=100&chunked=1')), 'Miss');
    assert.equal(status(await send('/small/fits?type=text/plain&bytes=100&chunked=1')), 'Hit');
  });

  it('evicts the least recently used entries from a full memory dictionary', async () => {
    // Room for two of these entries (300 bytes of body and their head) in 1000 bytes.
    for (const name of ['a', 'b']) await send(`/lru/${name}?type=text/plain&bytes=300`);
    assert.equal(status(await send('/lru/a?type=text/plain&bytes=300')), 'Hit');
    await send('/lru/c?type=text/plain&bytes=300');
    assert.equal(status(await send('/lru/a?type=text/plain&bytes=300')), 'Hit');
    // Asking for b again stores it, which evicts the least recently used entry in turn.
    assert.equal(status(await send('/lru/b?type=text/plain&bytes=300')), 'Miss', 'b was the least recently used');
  });

  it('replays a hit through response-transformer exactly as the miss went out', async () => {
    const miss = await send('/transformed/replayed');
    const hit = await send('/transformed/replayed');
    assert.equal(status(hit), 'Hit');
    assert.equal(JSON.parse(hit.body).via, 'gatehouse');
    assert.equal(hit.body, miss.body);
    assert.equal(hit.headers['x-added'], '1');
    assert.equal(hit.headers['x-list'], 'b', 'appended once, not once per replay');
    assert.equal(hit.headers['content-length'], String(Buffer.byteLength(hit.body)));
  });

  it('makes one upstream call for 50 concurrent misses of one key', async () => {
    // The upstream holds its answer until all 50 requests are inside the gateway.
    gate = arrivals(50);
    const answers = await Promise.all(Array.from({ length: 50 }, () => send('/coalesce/hot')));
    assert.equal(calls.get('/hot'), 1);
    assert.ok(answers.every((answer) => answer.status === 200 && answer.call === 1));
    assert.deepEqual(
      answers.map(status).sort(),
      ['Miss', ...new Array<string>(49).fill('Hit')].sort(),
    );
  });

  it('reads and purges entries through the admin API', async () => {
    const miss = await send('/mem/admin-me');
    const key = String(miss.headers['x-cache-key']);
    const read = await admin('GET', `/proxy-cache/${key}`);
    assert.equal(read.status, 200);
    assert.equal(read.body.status, 200);
    assert.equal(read.body.body, miss.body);
    assert.equal(read.body.body_len, Buffer.byteLength(miss.body));
    assert.equal(read.body.headers.etag, miss.headers.etag);
    assert.equal(typeof read.body.timestamp, 'number');
    assert.equal(read.body.ttl, 300);

    assert.equal((await admin('DELETE', `/proxy-cache/${key}`)).status, 204);
    assert.equal((await admin('DELETE', `/proxy-cache/${key}`)).status, 404);
    assert.equal((await admin('GET', `/proxy-cache/${key}`)).status, 404);
    assert.equal(status(await send('/mem/admin-me')), 'Miss');
    assert.equal(status(await send('/mem/admin-me')), 'Hit');

    assert.equal((await admin('DELETE', '/proxy-cache')).status, 204);
    assert.equal(status(await send('/mem/admin-me')), 'Miss');
    assert.equal(status(await send('/case/items')), 'Miss', 'every store is emptied');
  });

  it("reads and purges one plugin's store by its id", async () => {
    const miss = await send('/mem/by-plugin');
    const key = String(miss.headers['x-cache-key']);
    const routes = await admin('GET', '/routes/mem');
    const plugins = await admin('GET', `/routes/${routes.body.id}/plugins`);
    const pluginId = (plugins.body.data as { id: string; name: string }[]).find((plugin) => plugin.name === 'proxy-cache')!.id;
    assert.equal((await admin('GET', `/proxy-cache/${pluginId}/caches/${key}`)).status, 200);
    assert.equal((await admin('GET', `/proxy-cache/no-such-plugin/caches/${key}`)).status, 404);
    assert.equal((await admin('DELETE', `/proxy-cache/${pluginId}/caches/${key}`)).status, 204);
    assert.equal((await admin('GET', `/proxy-cache/${pluginId}/caches/${key}`)).status, 404);
  });
});
