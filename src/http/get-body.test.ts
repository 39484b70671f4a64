/** Unit: getBody against a real local server: the body, a body over the limit, a server too slow. */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { getBody } from './get-body.js';

describe('getBody', () => {
  let server: Server;
  let base: string;
  before(async () => {
    server = createServer((req, res) => {
      if (req.url === '/small') res.writeHead(200, { 'content-type': 'application/json' }).end('{"keys":[]}');
      else if (req.url === '/large') res.writeHead(200).end(Buffer.alloc(4096, 'x'));
      else if (req.url === '/missing') res.writeHead(404).end('no');
      // /slow: never answers.
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  it('returns the status and the whole body', async () => {
    assert.deepEqual(await getBody(`${base}/small`, { timeoutMs: 2000, maxBytes: 1024 }), { status: 200, body: Buffer.from('{"keys":[]}') });
    assert.equal((await getBody(`${base}/missing`, { timeoutMs: 2000, maxBytes: 1024 })).status, 404);
  });

  it('fails a body over the limit', async () => {
    await assert.rejects(getBody(`${base}/large`, { timeoutMs: 2000, maxBytes: 1024 }), /body larger than 1024 bytes/);
  });

  it('fails when the server does not answer in time', async () => {
    await assert.rejects(getBody(`${base}/slow`, { timeoutMs: 200, maxBytes: 1024 }), { name: 'AbortError' });
  });

  it('fails when nothing listens', async () => {
    await assert.rejects(getBody('http://127.0.0.1:1/', { timeoutMs: 2000, maxBytes: 1024 }), { code: 'ECONNREFUSED' });
  });
});
