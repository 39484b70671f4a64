/** Black-box: malformed requests get a 4xx with the contract body and never reach the upstream. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestGateway, type TestGateway } from './helpers/gateway.js';
import { rawRequest } from './helpers/raw-http.js';
import { startUpstream, type TestUpstream } from './helpers/upstream.js';

describe('malformed requests', () => {
  let upstream: TestUpstream;
  let gw: TestGateway;

  before(async () => {
    upstream = await startUpstream();
    gw = await startTestGateway({ _format_version: '3.0', services: [{ name: 'any', url: upstream.url, routes: [{ name: 'all', paths: ['/'] }] }] });
  });
  after(async () => {
    await gw.close();
    await upstream.close();
  });

  const cases: Array<[string, string, number, string]> = [
    ['conflicting Content-Length and Transfer-Encoding', 'POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n', 400, 'bad_request'],
    ['two different Content-Length values', 'POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello', 400, 'bad_request'],
    ['a header name with a bad byte', 'GET /a HTTP/1.1\r\nHost: x\r\nBad\x01Header: 1\r\n\r\n', 400, 'bad_request'],
    ['a header value with a control byte', 'GET /a HTTP/1.1\r\nHost: x\r\nX-A: a\x00b\r\n\r\n', 400, 'bad_request'],
    ['a dot-segment path', 'GET /a/../b HTTP/1.1\r\nHost: x\r\n\r\n', 400, 'bad_request'],
    ['an encoded dot-segment path', 'GET /a/%2e%2e/b HTTP/1.1\r\nHost: x\r\n\r\n', 400, 'bad_request'],
    ['a mixed-encoding dot segment', 'GET /a/.%2E HTTP/1.1\r\nHost: x\r\n\r\n', 400, 'bad_request'],
    ['a broken percent escape', 'GET /a/%zz HTTP/1.1\r\nHost: x\r\n\r\n', 400, 'bad_request'],
    ['an encoded NUL', 'GET /a%00b HTTP/1.1\r\nHost: x\r\n\r\n', 400, 'bad_request'],
    ['over-long headers', `GET /a HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, 431, 'headers_too_large'],
  ];

  for (const [name, payload, status, error] of cases) {
    it(`answers ${status} ${error} to ${name} without reaching the upstream`, async () => {
      const before = upstream.seen.length;
      const res = await rawRequest(gw.url, payload);
      assert.equal(res.status, status, res.raw.slice(0, 200));
      const body = JSON.parse(res.body) as Record<string, string>;
      assert.equal(body.error, error);
      assert.equal(body.request_id, res.headers['x-request-id']);
      assert.equal(upstream.seen.length, before);
    });
  }

  it('still proxies a well-formed request on the same gateway', async () => {
    const res = await rawRequest(gw.url, 'GET /fine?x=%20 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    assert.equal(res.status, 200);
    assert.equal(upstream.seen.at(-1)?.url, '/fine?x=%20');
  });
});
