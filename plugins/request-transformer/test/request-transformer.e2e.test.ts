/**
 * Black-box: request-transformer through the real gateway against a real upstream that reports what
 * it received — method, path, query, every header line and the body — for each option, templates,
 * JSON bodies read whole (and those that must stream untouched), and bad rendered values.
 */
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { eventually, startTestGateway, type TestGateway } from '../../../test/helpers/gateway.js';
import { startUpstream, type TestUpstream } from '../../../test/helpers/upstream.js';

interface Received {
  method: string;
  url: string;
  rawHeaders: string[];
  headers: IncomingMessage['headers'];
  body: string;
}

/** Header lines the upstream received with this name, in order. */
const lines = (received: Received, name: string) =>
  received.rawHeaders.flatMap((value, i) => (i % 2 === 1 && received.rawHeaders[i - 1]!.toLowerCase() === name ? [value] : []));

describe('request-transformer', () => {
  let upstream: TestUpstream;
  let gw: TestGateway;
  /** Resolved when the upstream has received the first body bytes of a /stream request. */
  let firstBytes: () => void = () => undefined;

  before(async () => {
    upstream = await startUpstream((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => {
        if (chunks.length === 0) firstBytes();
        chunks.push(chunk);
      });
      req.on('end', () => {
        const received: Received = { method: req.method!, url: req.url!, rawHeaders: req.rawHeaders, headers: req.headers, body: Buffer.concat(chunks).toString() };
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(received));
      });
    });
    const transformed = (name: string, config: Record<string, unknown>, paths = [`/${name}`]) => ({
      name,
      paths,
      plugins: [{ name: 'request-transformer', config }],
    });
    gw = await startTestGateway({
      _format_version: '3.0',
      services: [
        {
          name: 'svc',
          url: `${upstream.url}/base`,
          routes: [
            transformed('headers', {
              remove: { headers: ['x-remove-me', 'x-absent'] },
              rename: { headers: ['x-old:x-new', 'x-missing:x-never'] },
              replace: { headers: ['x-replace:replaced', 'host:backend.internal', 'x-not-sent:nope'] },
              add: { headers: ['x-add:added', 'x-replace:not-added', "x-from-query:$(query_params.q1 or 'none')", "x-user:$(headers['x-user-name'])"] },
              append: { headers: ['x-multi:second', 'x-fresh:one'] },
            }),
            transformed('query', {
              remove: { querystring: ['secret'] },
              rename: { querystring: ['old:new'] },
              replace: { querystring: ['page:1', 'absent:x'] },
              add: { querystring: ['added:yes', 'page:ignored', "user:$(headers['x-user'])"] },
              append: { querystring: ['tag:b'] },
            }),
            transformed(
              'users',
              {
                http_method: 'POST',
                replace: { uri: '/v2/accounts/$(uri_captures.id)/profile' },
                add: { headers: ['x-account:$(uri_captures.id)'] },
              },
              ['~/users/(?<id>\\d+)$'],
            ),
            transformed('escape', { replace: { uri: "/x/$(query_params.p or 'default')" } }),
            transformed(
              'body',
              {
                remove: { body: ['password'] },
                rename: { body: ['user:username'] },
                replace: { body: ['role:member', 'absent:x'] },
                add: { body: ['source:gateway', 'username:not-added', "client:$(headers['x-client'] or 'unknown')"] },
                append: { body: ['tags:gatehouse'] },
                max_body_bytes: 512,
              },
              ['/body', '/stream'],
            ),
            transformed('bad-header', { add: { headers: ['x-echo:$(query_params.v)'] } }),
          ],
        },
      ],
    });
  });
  after(async () => {
    await gw.close();
    await upstream.close();
  });

  async function send(path: string, options: { method?: string; headers?: Record<string, string>; body?: string | Buffer | Readable } = {}) {
    const res = await request(`${gw.url}${path}`, { method: (options.method ?? 'GET') as 'GET', headers: options.headers, body: options.body });
    const text = await res.body.text();
    return { status: res.statusCode, received: res.statusCode === 200 ? (JSON.parse(text) as Received) : null, text };
  }

  it('removes, renames, replaces, adds and appends headers in that order, with templates', async () => {
    const { received } = await send('/headers/x?q1=20', {
      headers: { 'x-remove-me': '1', 'x-old': 'moved', 'x-replace': 'original', 'x-multi': 'first', 'x-user-name': 'ada' },
    });
    assert.ok(received);
    assert.equal(received.headers['x-remove-me'], undefined);
    assert.equal(received.headers['x-old'], undefined);
    assert.equal(received.headers['x-new'], 'moved');
    assert.equal(received.headers['x-never'], undefined);
    assert.equal(received.headers['x-replace'], 'replaced');
    assert.equal(received.headers['x-not-sent'], undefined, 'replace touches only headers that are there');
    assert.equal(received.headers.host, 'backend.internal');
    assert.equal(received.headers['x-add'], 'added');
    assert.equal(received.headers['x-from-query'], '20');
    assert.equal(received.headers['x-user'], 'ada');
    assert.deepEqual(lines(received, 'x-multi'), ['first', 'second'], 'append sends one more header line');
    assert.deepEqual(lines(received, 'x-fresh'), ['one']);
    assert.equal(received.url, '/base/x?q1=20');
  });

  it("falls back to a template's default when the request lacks the value", async () => {
    const { received } = await send('/headers/x');
    assert.equal(received?.headers['x-from-query'], 'none');
    assert.equal(received?.headers['x-user'], '');
  });

  it('edits query arguments by name and leaves the others byte for byte', async () => {
    const { received } = await send('/query/list?a%5Bb%5D=1&secret=s3&old=v&page=7&page=8&tag=a&x=%E2%9C%93', { headers: { 'x-user': 'ada lovelace' } });
    assert.equal(received?.url, '/base/list?a%5Bb%5D=1&new=v&page=1&tag=a&x=%E2%9C%93&added=yes&user=ada%20lovelace&tag=b');
  });

  it('replaces the whole upstream path from a named capture, and the method', async () => {
    const { received } = await send('/users/42', { method: 'GET' });
    assert.equal(received?.method, 'POST');
    assert.equal(received?.url, '/v2/accounts/42/profile');
    assert.equal(received?.headers['x-account'], '42');
  });

  it('percent-encodes what a rendered path cannot carry, and refuses one that climbs with dot segments', async () => {
    assert.equal((await send('/escape?p=a%20b%3Fc')).received?.url, '/x/a%20b%3Fc?p=a%20b%3Fc');
    assert.equal((await send('/escape')).received?.url, '/x/default');
    const climbing = await send('/escape?p=..%2F..%2Fadmin');
    assert.equal(climbing.status, 400);
    assert.equal(JSON.parse(climbing.text).error, 'bad_request');
  });

  it('edits a JSON body, keeping untouched values exactly and setting the new length', async () => {
    const body = '{"user":"ada","password":"hunter2","role":"admin","id":12345678901234567891,"tags":["a"],"nested":{"keep": [1, 2]}}';
    const { received } = await send('/body', { method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8', 'x-client': 'web' }, body });
    assert.ok(received);
    assert.equal(received.body, '{"username":"ada","role":"member","id":12345678901234567891,"tags":["a","gatehouse"],"nested":{"keep": [1, 2]},"source":"gateway","client":"web"}');
    assert.equal(received.headers['content-length'], String(Buffer.byteLength(received.body)));
  });

  it('reads a chunked JSON body whole and sends it with a Content-Length', async () => {
    async function* chunked() {
      yield Buffer.from('{"user":');
      yield Buffer.from('"bob"}');
    }
    const { received } = await send('/body', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: Readable.from(chunked()) });
    assert.equal(received?.body, '{"username":"bob","source":"gateway","client":"unknown","tags":["gatehouse"]}');
    assert.equal(received?.headers['transfer-encoding'], undefined);
    assert.equal(received?.headers['content-length'], String(received?.body.length));
  });

  it('gives a body-less JSON request the added fields, as Kong', async () => {
    const { received } = await send('/body', { method: 'POST', headers: { 'content-type': 'application/json' } });
    assert.equal(received?.body, '{"source":"gateway","username":"not-added","client":"unknown","tags":["gatehouse"]}');
  });

  it('sends a JSON body that is not an object untouched, and says so in the access log', async () => {
    const { received } = await send('/body?array', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '[1,2,3]' });
    assert.equal(received?.body, '[1,2,3]');
    const line = await eventually(() => gw.accessLogs().find((entry) => entry.path === '/body' && entry.status === 200 && entry.body_transform), 'the access-log line');
    assert.equal(line.body_transform, 'request body is not a JSON object: sent untouched');
  });

  it('streams a body that is not JSON, and a JSON body over max_body_bytes, untouched as it comes', async () => {
    for (const contentType of ['text/plain', 'application/json']) {
      const reached = new Promise<void>((resolve) => (firstBytes = resolve));
      const head = Buffer.from(`{"user":"${'x'.repeat(600)}`);
      async function* body() {
        yield head;
        // The rest is sent only once the upstream has the start: a gateway holding the body would never get here.
        await reached;
        yield Buffer.from('"}');
      }
      const { received } = await send('/stream', { method: 'POST', headers: { 'content-type': contentType }, body: Readable.from(body()) });
      assert.equal(received?.body, `${head.toString()}"}`, contentType);
    }
    const line = await eventually(() => gw.accessLogs().find((entry) => entry.path === '/stream' && entry.body_transform), 'the access-log line');
    assert.equal(line.body_transform, 'request body over 512 bytes: sent untouched');
  });

  it('refuses a request whose rendered header value would break the header (400)', async () => {
    const answer = await send('/bad-header?v=a%0D%0AInjected:%20yes');
    assert.equal(answer.status, 400);
    assert.equal(JSON.parse(answer.text).error, 'bad_request');
  });
});
