/** Black-box: 200 MB binary bodies stream both ways byte-for-byte while memory stays flat. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { startTestGateway, type TestGateway } from './helpers/gateway.js';
import { startUpstream, type TestUpstream } from './helpers/upstream.js';

const MIB = 1024 * 1024;
const TOTAL_MIB = 200;
/** Far below the 200 MB moved: any buffering of a whole body would exceed it. */
const MAX_RSS_GROWTH_MIB = 80;

/** A deterministic, non-repeating-per-chunk binary stream (every byte value occurs). */
function binaryStream(mib: number): Readable {
  let index = 0;
  return new Readable({
    read() {
      if (index === mib) return void this.push(null);
      const chunk = Buffer.alloc(MIB);
      for (let i = 0; i < MIB; i += 4) chunk.writeUInt32LE((i * 2654435761 + index) >>> 0, i);
      index++;
      this.push(chunk);
    },
  });
}

async function digestOf(stream: AsyncIterable<Buffer>): Promise<{ sha: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of stream) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  return { sha: hash.digest('hex'), bytes };
}

describe('streaming', () => {
  let upstream: TestUpstream;
  let gw: TestGateway;
  let expected: { sha: string; bytes: number };
  let lastUpload: { sha: string; bytes: number; contentType: string | undefined } | null = null;

  before(async () => {
    expected = await digestOf(binaryStream(TOTAL_MIB));
    upstream = await startUpstream((req, res) => {
      if (req.method === 'POST') {
        void digestOf(req).then((digest) => {
          lastUpload = { ...digest, contentType: req.headers['content-type'] };
          res.end('stored');
        });
        return;
      }
      res.writeHead(200, { 'content-type': 'image/png' });
      binaryStream(TOTAL_MIB).pipe(res);
    });
    gw = await startTestGateway({ _format_version: '3.0', services: [{ name: 'files', url: upstream.url, routes: [{ name: 'files', paths: ['/files'] }] }] });
  });
  after(async () => {
    await gw.close();
    await upstream.close();
  });

  it('uploads 200 MB (chunked, binary) byte-for-byte without buffering', async () => {
    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    const res = await request(`${gw.url}/files/upload`, { method: 'POST', body: binaryStream(TOTAL_MIB), headers: { 'content-type': 'application/x-custom-binary' } });
    assert.equal(res.statusCode, 200);
    assert.equal(await res.body.text(), 'stored');
    assert.deepEqual(lastUpload, { ...expected, contentType: 'application/x-custom-binary' });
    const growth = (process.memoryUsage().rss - rssBefore) / MIB;
    assert.ok(growth < MAX_RSS_GROWTH_MIB, `RSS grew by ${growth.toFixed(0)} MiB`);
  });

  it('downloads 200 MB byte-for-byte without buffering', async () => {
    const rssBefore = process.memoryUsage().rss;
    const res = await request(`${gw.url}/files/download`);
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'image/png');
    assert.deepEqual(await digestOf(res.body), expected);
    const growth = (process.memoryUsage().rss - rssBefore) / MIB;
    assert.ok(growth < MAX_RSS_GROWTH_MIB, `RSS grew by ${growth.toFixed(0)} MiB`);
  });

  it('passes a body with Content-Length unchanged, bytes and length', async () => {
    const body = Buffer.from([0, 255, 1, 254, 13, 10, 0x80, 0x7f]);
    const res = await request(`${gw.url}/files/small`, { method: 'POST', body, headers: { 'content-type': 'application/octet-stream' } });
    assert.equal(await res.body.text(), 'stored');
    const digest = createHash('sha256').update(body).digest('hex');
    assert.deepEqual(lastUpload, { sha: digest, bytes: body.length, contentType: 'application/octet-stream' });
  });
});
