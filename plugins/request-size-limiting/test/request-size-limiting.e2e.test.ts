/** Black-box: request-size-limiting through the real gateway — Content-Length checks and chunked bodies cut off at the limit. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Readable } from 'node:stream';
import { request } from 'undici';
import { eventually, startTestGateway, type TestGateway } from '../../../test/helpers/gateway.js';
import { rawRequest } from '../../../test/helpers/raw-http.js';
import { startUpstream, type TestUpstream } from '../../../test/helpers/upstream.js';

const LIMIT = 1000;

interface Received {
  url: string;
  bytes: number;
  complete: boolean;
  closed: boolean;
}

describe('request-size-limiting', () => {
  let upstream: TestUpstream;
  let gw: TestGateway;
  const received: Received[] = [];

  before(async () => {
    upstream = await startUpstream((req, res) => {
      const entry: Received = { url: req.url!, bytes: 0, complete: false, closed: false };
      received.push(entry);
      req.on('data', (chunk: Buffer) => (entry.bytes += chunk.length));
      req.on('end', () => {
        entry.complete = true;
        res.end(String(entry.bytes));
      });
      req.on('close', () => (entry.closed = true));
    });
    gw = await startTestGateway({
      _format_version: '3.0',
      services: [
        {
          name: 'svc',
          url: upstream.url,
          routes: [
            { name: 'small', paths: ['/small'], plugins: [{ name: 'request-size-limiting', config: { allowed_payload_size: LIMIT, size_unit: 'bytes' } }] },
            { name: 'kb', paths: ['/kb'], plugins: [{ name: 'request-size-limiting', config: { allowed_payload_size: 1, size_unit: 'kilobytes' } }] },
            { name: 'needs-length', paths: ['/needs-length'], plugins: [{ name: 'request-size-limiting', config: { require_content_length: true } }] },
          ],
        },
      ],
    });
  });
  after(async () => {
    await gw.close();
    await upstream.close();
  });

  it('answers 413 to a Content-Length over the limit without contacting the upstream', async () => {
    const res = await request(`${gw.url}/small/too-big`, { method: 'POST', body: Buffer.alloc(LIMIT + 1) });
    assert.equal(res.statusCode, 413);
    const body = (await res.body.json()) as Record<string, string>;
    assert.equal(body.error, 'body_too_large');
    assert.equal(body.message, 'Request size limit exceeded');
    assert.equal(received.filter((r) => r.url === '/too-big').length, 0);
  });

  it('passes a body at the limit whole, and counts kilobytes as 1024 bytes', async () => {
    const res = await request(`${gw.url}/small/fits`, { method: 'POST', body: Buffer.alloc(LIMIT) });
    assert.equal(res.statusCode, 200);
    assert.equal(await res.body.text(), String(LIMIT));
    const kb = await request(`${gw.url}/kb/fits`, { method: 'POST', body: Buffer.alloc(1024) });
    assert.equal(kb.statusCode, 200);
    await kb.body.dump();
  });

  it('streams a chunked body under the limit', async () => {
    async function* chunks() {
      for (let i = 0; i < 5; i++) yield Buffer.alloc(100, i);
    }
    const res = await request(`${gw.url}/small/chunked-ok`, { method: 'POST', body: Readable.from(chunks()) });
    assert.equal(res.statusCode, 200);
    assert.equal(await res.body.text(), '500');
  });

  it('aborts the upstream request when a chunked body crosses the limit, and answers 413', async () => {
    const chunk = (size: number) => `${size.toString(16)}\r\n${'x'.repeat(size)}\r\n`;
    // Two chunks (1200 bytes) and no terminating chunk: the client would keep sending.
    const payload = `POST /small/chunked-big HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n${chunk(600)}${chunk(600)}`;
    const res = await rawRequest(gw.url, payload);
    assert.equal(res.status, 413);
    assert.equal((JSON.parse(res.body) as { error: string }).error, 'body_too_large');
    assert.equal(res.headers.connection, 'close');
    const seen = received.filter((r) => r.url === '/chunked-big');
    for (const entry of seen) {
      await eventually(() => (entry.closed ? true : undefined), 'the upstream request to be aborted');
      assert.equal(entry.complete, false);
      assert.ok(entry.bytes <= LIMIT, `upstream received ${entry.bytes} bytes`);
    }
  });

  it('answers 411 without a Content-Length when require_content_length is set, unless the body is chunked', async () => {
    const res = await rawRequest(gw.url, 'POST /needs-length HTTP/1.1\r\nHost: test\r\n\r\n');
    assert.equal(res.status, 411);
    assert.equal((JSON.parse(res.body) as { error: string }).error, 'length_required');
    const chunked = await request(`${gw.url}/needs-length`, { method: 'POST', body: Readable.from([Buffer.from('hi')]) });
    assert.equal(chunked.statusCode, 200);
    await chunked.body.dump();
  });
});
