/** Unit: getBody and sendBody against a real local server: bodies, limits, a server too slow, keep-alive. */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { getBody, keepAliveAgent, sendBody } from './plugin-http.js';

describe('plugin HTTP calls', () => {
  let server: Server;
  let base: string;
  const received: { method: string; type: string | undefined; body: string; socket: number }[] = [];
  const sockets = new Map<object, number>();
  before(async () => {
    server = createServer((req, res) => {
      if (req.url === '/sink') {
        let body = '';
        req.on('data', (chunk: Buffer) => (body += chunk.toString()));
        req.on('end', () => {
          if (!sockets.has(req.socket)) sockets.set(req.socket, sockets.size);
          received.push({ method: req.method!, type: req.headers['content-type'], body, socket: sockets.get(req.socket)! });
          res.writeHead(received.length === 1 ? 200 : 503).end(Buffer.alloc(100_000, 'x'));
        });
        return;
      }
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

  it('sendBody sends the body, drops the answer body and returns the status, on one kept connection', async () => {
    const agent = keepAliveAgent(`${base}/sink`, 5000);
    const send = (body: string) =>
      sendBody(`${base}/sink`, { agent, method: 'PUT', headers: { 'content-type': 'application/json' }, body, timeoutMs: 2000, connectTimeoutMs: 1000 });
    assert.equal(await send('[1]'), 200);
    assert.equal(await send('[2]'), 503);
    assert.deepEqual(received, [
      { method: 'PUT', type: 'application/json', body: '[1]', socket: 0 },
      { method: 'PUT', type: 'application/json', body: '[2]', socket: 0 },
    ]);
    agent.destroy();
  });

  it('fails when nothing listens', async () => {
    await assert.rejects(getBody('http://127.0.0.1:1/', { timeoutMs: 2000, maxBytes: 1024 }), { code: 'ECONNREFUSED' });
  });
});
