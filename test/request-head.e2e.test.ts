/**
 * Black-box: the request line and Host as RFC 9112 §3.2 / RFC 9110 §7.2 allow them, Transfer-Encoding
 * framing, `OPTIONS *`, and encoded slashes that would make a dot segment — each refused case answered
 * 400 with the contract body over a raw socket, and the upstream's own record shows nothing arrived.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { eventually, startTestGateway, type TestGateway } from './helpers/gateway.js';
import { rawRequest } from './helpers/raw-http.js';
import { startUpstream, type TestUpstream } from './helpers/upstream.js';

/** Sends `payload` and keeps the socket open: what came back, and whether the gateway closed it. */
function sendAndWatch(url: string, payload: string): Promise<{ response: string; closedByServer: boolean }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(Buffer.from(payload, 'latin1')));
    let response = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ response, closedByServer: false });
    }, 2000);
    socket.on('data', (chunk: Buffer) => (response += chunk.toString('latin1')));
    socket.on('error', reject);
    socket.on('end', () => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ response, closedByServer: true });
    });
  });
}

describe('request head: target, Host and framing', () => {
  let upstream: TestUpstream;
  let gw: TestGateway;

  before(async () => {
    upstream = await startUpstream();
    gw = await startTestGateway({
      _format_version: '3.0',
      services: [
        {
          name: 'by-host',
          url: upstream.url,
          routes: [
            { name: 'a', hosts: ['a.test'], paths: ['/'], preserve_host: true },
            { name: 'b', hosts: ['b.test'], paths: ['/'], preserve_host: true },
          ],
        },
        { name: 'any', url: upstream.url, routes: [{ name: 'all', paths: ['/'] }] },
        { name: 'locked', url: upstream.url, routes: [{ name: 'locked', paths: ['/locked'], plugins: [{ name: 'key-auth' }] }] },
      ],
    });
  });
  after(async () => {
    await gw.close();
    await upstream.close();
  });

  const refused: Array<[string, string]> = [
    ['two Host lines with the same value', 'GET /x HTTP/1.1\r\nHost: a.test\r\nHost: a.test\r\n\r\n'],
    ['two Host lines with different values', 'GET /x HTTP/1.1\r\nHost: a.test\r\nHost: b.test\r\n\r\n'],
    ['a Host with userinfo', 'GET /x HTTP/1.1\r\nHost: user@a.test\r\n\r\n'],
    ['a Host with a path', 'GET /x HTTP/1.1\r\nHost: a.test/x\r\n\r\n'],
    ['a Host with a query', 'GET /x HTTP/1.1\r\nHost: a.test?x=1\r\n\r\n'],
    ['an empty Host on HTTP/1.1', 'GET /x HTTP/1.1\r\nHost:\r\n\r\n'],
    ['no Host on HTTP/1.1', 'GET /x HTTP/1.1\r\n\r\n'],
    ['a comma-separated list of hosts', 'GET /x HTTP/1.1\r\nHost: a.test, b.test\r\n\r\n'],
    ['a Host with a port over 65535', 'GET /x HTTP/1.1\r\nHost: a.test:65536\r\n\r\n'],
    ['a Host with a port that is not a number', 'GET /x HTTP/1.1\r\nHost: a.test:8o\r\n\r\n'],
    ['a Host with a space', 'GET /x HTTP/1.1\r\nHost: a .test\r\n\r\n'],
    ['a Host with a tab inside', 'GET /x HTTP/1.1\r\nHost: a\t.test\r\n\r\n'],
    ['a Host with a non-ASCII byte', 'GET /x HTTP/1.1\r\nHost: caf\xe9.test\r\n\r\n'],
    ['a Host that is only a port', 'GET /x HTTP/1.1\r\nHost: :8000\r\n\r\n'],
    ['an unclosed IPv6 literal', 'GET /x HTTP/1.1\r\nHost: [::1\r\n\r\n'],
    ['an absolute-form target with userinfo', 'GET http://user@a.test/x HTTP/1.1\r\nHost: a.test\r\n\r\n'],
    ['an absolute-form target with a bad authority', 'GET http://a.test:99999/x HTTP/1.1\r\nHost: a.test\r\n\r\n'],
    ['a request target that is neither origin- nor absolute-form', 'GET x/y HTTP/1.1\r\nHost: a.test\r\n\r\n'],
    ['"*" with a method other than OPTIONS', 'GET * HTTP/1.1\r\nHost: a.test\r\n\r\n'],
    ['a dot segment made by an encoded slash', 'GET /public/%2E%2E%2Fsecret HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['dots followed by an encoded slash', 'GET /public/..%2fsecret HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['dots after an encoded slash', 'GET /public%2F..%2Fsecret HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['dots followed by an encoded backslash', 'GET /a/..%5cb HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['dots after an encoded backslash', 'GET /a%5C..%5Cb HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['a single dot between encoded slashes', 'GET /a%2f.%2fb HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['dots with a path parameter', 'GET /public/..;/secret HTTP/1.1\r\nHost: x\r\n\r\n'],
  ];

  for (const [name, payload] of refused) {
    it(`answers 400 bad_request to ${name}, and nothing reaches the upstream`, async () => {
      const before = upstream.seen.length;
      const res = await rawRequest(gw.url, Buffer.from(payload, 'latin1'));
      assert.equal(res.status, 400, res.raw.slice(0, 300));
      const body = JSON.parse(res.body) as Record<string, string>;
      assert.equal(body.error, 'bad_request');
      assert.equal(body.request_id, res.headers['x-request-id']);
      assert.equal(upstream.seen.length, before);
    });
  }

  const badFraming: Array<[string, string]> = [
    ['an empty Transfer-Encoding', 'POST /x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding:\r\n\r\n'],
    ['an empty Transfer-Encoding beside a Content-Length', 'POST /x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: \r\nContent-Length: 3\r\n\r\nabc'],
    ['a Transfer-Encoding that is not chunked', 'POST /x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\nabc'],
    ['a Transfer-Encoding of identity', 'POST /x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: identity\r\n\r\nabc'],
    ['a coding list that does not end in chunked', 'POST /x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n'],
    ['two Transfer-Encoding lines, the last not chunked', 'POST /x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n\r\n0\r\n\r\n'],
    ['a coding list with an empty element', 'POST /x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: ,chunked\r\n\r\n0\r\n\r\n'],
    ['a coding the gateway does not decode before chunked', 'POST /x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n'],
    ['a Transfer-Encoding on HTTP/1.0', 'POST /x HTTP/1.0\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n'],
  ];

  for (const [name, payload] of badFraming) {
    it(`answers 400 to ${name} and closes the connection, never forwarding it`, async () => {
      const before = upstream.seen.length;
      const { response, closedByServer } = await sendAndWatch(gw.url, payload);
      assert.match(response, /^HTTP\/1\.1 400 /, response.slice(0, 300));
      assert.equal((response.match(/HTTP\/1\.1 \d{3} /g) ?? []).length, 1, `one answer only:\n${response}`);
      assert.match(response, /\r\nconnection: close\r\n/i);
      assert.match(response, /"error":"bad_request"/);
      assert.ok(closedByServer, 'the gateway closes the connection');
      assert.equal(upstream.seen.length, before);
    });
  }

  it('sends no second answer when a body the gateway already answered turns out malformed', async () => {
    const { response, closedByServer } = await sendAndWatch(gw.url, 'POST /locked HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nnot a chunk\r\n');
    assert.match(response, /^HTTP\/1\.1 401 /, response.slice(0, 300));
    assert.equal((response.match(/HTTP\/1\.1 \d{3} /g) ?? []).length, 1, `one answer only:\n${response}`);
    assert.ok(closedByServer);
  });

  it('still forwards a chunked body, with Transfer-Encoding written in any case', async () => {
    const res = await rawRequest(gw.url, 'POST /chunked HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: Chunked\r\nConnection: close\r\n\r\n3\r\nabc\r\n0\r\n\r\n');
    assert.equal(res.status, 200, res.raw.slice(0, 300));
    assert.equal((JSON.parse(res.body) as { bytes: number }).bytes, 3);
  });

  it('answers OPTIONS * itself with 200 and Allow, never forwarding it', async () => {
    const before = upstream.seen.length;
    const res = await rawRequest(gw.url, 'OPTIONS * HTTP/1.1\r\nHost: a.test\r\nConnection: close\r\n\r\n');
    assert.equal(res.status, 200, res.raw.slice(0, 300));
    assert.match(res.headers.allow ?? '', /\bGET\b.*\bOPTIONS\b/);
    assert.equal(res.headers['content-length'], '0');
    assert.ok(res.headers['x-request-id']);
    assert.equal(upstream.seen.length, before);
  });

  it('routes an absolute-form request by its authority, not by the Host header', async () => {
    const res = await rawRequest(gw.url, 'GET http://A.test:8080/x?y=1 HTTP/1.1\r\nHost: b.test\r\nX-Request-Id: absolute-form\r\nConnection: close\r\n\r\n');
    assert.equal(res.status, 200, res.raw.slice(0, 300));
    const seen = upstream.seen.at(-1)!;
    assert.equal(seen.url, '/x?y=1');
    // preserve_host sends the authority the client addressed.
    assert.equal(seen.headers.host, 'A.test:8080');
    assert.equal(seen.headers['x-forwarded-host'], 'a.test');
    const line = await eventually(() => gw.accessLogs().find((l) => l.request_id === 'absolute-form'), 'the access line');
    assert.equal(line.route, 'a');
    assert.equal(line.host, 'a.test');
  });

  it('takes an absolute-form target without a path as "/"', async () => {
    const res = await rawRequest(gw.url, 'GET http://b.test HTTP/1.1\r\nHost: a.test\r\nConnection: close\r\n\r\n');
    assert.equal(res.status, 200, res.raw.slice(0, 300));
    assert.equal(upstream.seen.at(-1)!.url, '/');
    assert.equal(upstream.seen.at(-1)!.headers.host, 'b.test');
  });

  const accepted: Array<[string, string, string]> = [
    ['a Host with a port', 'a.test:8000', 'a'],
    ['an upper-case Host', 'B.TEST', 'b'],
    ['an IPv6 literal with a port', '[::1]:8000', 'all'],
    ['an IPv4 address', '127.0.0.1', 'all'],
    ['a Host with an empty port', 'a.test:', 'a'],
  ];
  for (const [name, host, route] of accepted) {
    it(`accepts ${name} (${host})`, async () => {
      const id = `accepted-${host}`;
      const res = await rawRequest(gw.url, `GET /ok HTTP/1.1\r\nHost: ${host}\r\nX-Request-Id: ${id}\r\nConnection: close\r\n\r\n`);
      assert.equal(res.status, 200, res.raw.slice(0, 300));
      const line = await eventually(() => gw.accessLogs().find((l) => l.request_id === id), 'the access line');
      assert.equal(line.route, route);
    });
  }

  it('accepts HTTP/1.0 without a Host', async () => {
    const res = await rawRequest(gw.url, 'GET /old HTTP/1.0\r\n\r\n');
    assert.equal(res.status, 200, res.raw.slice(0, 300));
    assert.equal(upstream.seen.at(-1)!.url, '/old');
  });

  it('passes an encoded slash inside an ordinary segment byte for byte', async () => {
    for (const path of ['/api/projects/group%2Fproject', '/api/projects/group%2fsub%2Fproject/files/a%5Cb', '/files/v1..2', '/files/..hidden']) {
      const res = await rawRequest(gw.url, `GET ${path}?ref=main HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      assert.equal(res.status, 200, `${path}: ${res.raw.slice(0, 300)}`);
      assert.equal(upstream.seen.at(-1)!.url, `${path}?ref=main`);
    }
  });
});
