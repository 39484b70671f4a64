/**
 * Black-box: response-transformer through the real gateway against a real upstream — header edits on
 * proxied and gateway-made answers, JSON edits with json_types on bodies held whole (chunked ones
 * included), and the answers that must stream untouched: not JSON, compressed, over max_body_bytes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { request } from 'undici';
import { eventually, startTestGateway, type TestGateway } from '../../../test/helpers/gateway.js';
import { startUpstream, type TestUpstream } from '../../../test/helpers/upstream.js';

const DOCUMENT = '{"id":12345678901234567891,"secret":"s","old":"o","count":"1","flags":["a"],"nested":{"x": [1, 2]}}';

describe('response-transformer', () => {
  let upstream: TestUpstream;
  let gw: TestGateway;
  /** Lets a /slow answer send its second half. */
  let releaseRest: () => void = () => undefined;

  before(async () => {
    upstream = await startUpstream((req, res) => {
      req.resume();
      const path = req.url!.replace(/\?.*$/, '');
      const headers = { 'x-remove': '1', 'x-old': 'renamed value', 'x-replace': 'before', 'set-cookie': ['a=1', 'b=2'] };
      if (path.endsWith('/json')) {
        res.writeHead(200, { ...headers, 'content-type': 'application/json; charset=utf-8', 'content-length': String(DOCUMENT.length) });
        res.end(DOCUMENT);
      } else if (path.endsWith('/chunked')) {
        res.writeHead(201, { 'content-type': 'application/json' });
        res.write('{"secret":"s",');
        setImmediate(() => res.end('"count":"2"}'));
      } else if (path.endsWith('/array')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('[1,2]');
      } else if (path.endsWith('/gzip')) {
        const body = gzipSync(DOCUMENT);
        res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': String(body.length) });
        res.end(body);
      } else if (path.endsWith('/slow')) {
        res.writeHead(200, { 'content-type': req.headers['x-want-type'] as string });
        res.write(`{"secret":"${'x'.repeat(600)}`);
        new Promise<void>((resolve) => (releaseRest = resolve)).then(() => res.end('"}'));
      } else if (path.endsWith('/empty')) {
        res.writeHead(204, { 'content-type': 'application/json' });
        res.end();
      } else {
        res.writeHead(200, { ...headers, 'content-type': 'text/plain' });
        res.end('plain text');
      }
    });
    gw = await startTestGateway({
      _format_version: '3.0',
      consumers: [{ username: 'u', keyauth_credentials: [{ key: 'k' }] }],
      services: [
        {
          name: 'svc',
          url: upstream.url,
          plugins: [
            {
              name: 'response-transformer',
              config: {
                remove: { headers: ['X-Remove'], json: ['secret'] },
                rename: { headers: ['x-old:x-new'], json: ['old:renamed'] },
                replace: { headers: ['x-replace:after', 'x-absent:nope'], json: ['count:7', 'absent:x'], json_types: ['number'] },
                add: { headers: ['x-added:yes', 'x-replace:not-added'], json: ['version:2', 'beta:true', 'name:gatehouse'], json_types: ['number', 'boolean'] },
                append: { headers: ['set-cookie:c=3'], json: ['flags:b', 'fresh:1'], json_types: ['string', 'number'] },
                max_body_bytes: 512,
              },
            },
          ],
          routes: [
            { name: 'open', paths: ['/open'] },
            { name: 'locked', paths: ['/locked'], plugins: [{ name: 'key-auth' }] },
          ],
        },
      ],
    });
  });
  after(async () => {
    await gw.close();
    await upstream.close();
  });

  async function get(path: string, headers: Record<string, string> = {}) {
    const res = await request(`${gw.url}${path}`, { headers });
    return { status: res.statusCode, headers: res.headers, body: await res.body.text() };
  }

  it('edits headers in Kong\'s order: remove, rename, replace, add, append', async () => {
    const answer = await get('/open/text');
    assert.equal(answer.headers['x-remove'], undefined);
    assert.equal(answer.headers['x-old'], undefined);
    assert.equal(answer.headers['x-new'], 'renamed value');
    assert.equal(answer.headers['x-replace'], 'after');
    assert.equal(answer.headers['x-absent'], undefined);
    assert.equal(answer.headers['x-added'], 'yes');
    assert.deepEqual(answer.headers['set-cookie'], ['a=1', 'b=2', 'c=3']);
    assert.equal(answer.body, 'plain text');
  });

  it('edits headers of answers the gateway makes too (a 401)', async () => {
    const answer = await get('/locked/text');
    assert.equal(answer.status, 401);
    assert.equal(answer.headers['x-added'], 'yes');
    assert.equal(JSON.parse(answer.body).error, 'unauthorized');
  });

  it('edits a JSON body with typed values, keeps untouched members exactly, and sends the new length', async () => {
    const answer = await get('/open/json');
    assert.equal(answer.status, 200);
    assert.equal(answer.body, '{"id":12345678901234567891,"renamed":"o","count":7,"flags":["a","b"],"nested":{"x": [1, 2]},"version":2,"beta":true,"name":"gatehouse","fresh":[1]}');
    assert.equal(answer.headers['content-length'], String(Buffer.byteLength(answer.body)));
    assert.equal(answer.headers['transfer-encoding'], undefined);
  });

  it('holds a chunked JSON answer until it is whole', async () => {
    const answer = await get('/open/chunked');
    assert.equal(answer.status, 201);
    assert.deepEqual(JSON.parse(answer.body), { count: 7, version: 2, beta: true, name: 'gatehouse', flags: ['b'], fresh: [1] });
    assert.equal(answer.headers['content-length'], String(answer.body.length));
  });

  it('sends a JSON body that is not an object, or is compressed, untouched', async () => {
    assert.equal((await get('/open/array')).body, '[1,2]');
    const line = await eventually(() => gw.accessLogs().find((entry) => entry.path === '/open/array'), 'the access-log line');
    assert.equal(line.body_transform, 'response body is not a JSON object: sent untouched');
    const res = await request(`${gw.url}/open/gzip`);
    const bytes = Buffer.from(await res.body.arrayBuffer());
    assert.equal(res.headers['content-encoding'], 'gzip');
    assert.deepEqual(bytes, gzipSync(DOCUMENT));
  });

  it('answers HEAD and 204 without touching a body they do not have', async () => {
    const head = await request(`${gw.url}/open/json`, { method: 'HEAD' });
    assert.equal(head.statusCode, 200);
    assert.equal(head.headers['content-length'], String(DOCUMENT.length));
    assert.equal(await head.body.text(), '');
    assert.equal((await get('/open/empty')).status, 204);
  });

  it('streams an answer that is not JSON, and a JSON one over max_body_bytes, as it comes', async () => {
    for (const type of ['text/plain', 'application/json']) {
      const res = await request(`${gw.url}/open/slow`, { headers: { 'x-want-type': type } });
      const reader = res.body[Symbol.asyncIterator]();
      // The first half reaches the client while the upstream still holds the second: nothing held it.
      const first = (await reader.next()).value as Buffer;
      assert.ok(first.toString().startsWith('{"secret":"xxx'), type);
      releaseRest();
      let rest = '';
      for (let next = await reader.next(); !next.done; next = await reader.next()) rest += (next.value as Buffer).toString();
      assert.equal(first.toString() + rest, `{"secret":"${'x'.repeat(600)}"}`, type);
    }
    const line = await eventually(() => gw.accessLogs().find((entry) => entry.path === '/open/slow' && entry.body_transform), 'the access-log line');
    assert.equal(line.body_transform, 'response body over 512 bytes: sent untouched');
  });
});
