/** Unit: an HTTP/2 connection is closed (GOAWAY) once no stream has been open on it for the idle timeout, never while one is. */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect, type ClientHttp2Session } from 'node:http2';
import { createServer, type AddressInfo } from 'node:net';
import type { ServerResponse } from 'node:http';
import { describe, it } from 'node:test';
import pino from 'pino';
import { Http2Listener } from './http2-listener.js';

const IDLE_MS = 200;

/** A plain listener taking h2c by prior knowledge; `/hold` answers only when `release` is called. */
async function start(): Promise<{ url: string; release: () => void; stop: () => Promise<void> }> {
  let held: ServerResponse | null = null;
  const listener = new Http2Listener({
    maxHeaderBytes: 16_384,
    idleTimeoutMs: IDLE_MS,
    logger: pino({ level: 'silent' }),
    onRequest: (req, res) => {
      if (req.url === '/hold') held = res;
      else res.end('ok');
    },
  });
  const server = createServer();
  listener.acceptPriorKnowledge(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    release: () => held?.end('released'),
    stop: async () => {
      listener.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

function get(session: ClientHttp2Session, path: string): Promise<string> {
  const stream = session.request({ ':path': path });
  let body = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => (body += chunk));
  return once(stream, 'end').then(() => body);
}

describe('HTTP/2 listener idle connections', () => {
  it('sends GOAWAY once a connection has had no open stream for the idle timeout', async () => {
    const gateway = await start();
    const session = connect(gateway.url);
    try {
      const goaway = once(session, 'goaway');
      assert.equal(await get(session, '/'), 'ok');
      await goaway;
    } finally {
      session.destroy();
      await gateway.stop();
    }
  });

  it('keeps a connection whose stream is still open, and closes it after that stream ends', async () => {
    const gateway = await start();
    const session = connect(gateway.url);
    try {
      let goawayBeforeEnd = false;
      session.once('goaway', () => (goawayBeforeEnd = true));
      const answer = get(session, '/hold');
      await new Promise((resolve) => setTimeout(resolve, IDLE_MS * 3));
      assert.equal(goawayBeforeEnd, false);
      const goaway = once(session, 'goaway');
      gateway.release();
      assert.equal(await answer, 'released');
      await goaway;
    } finally {
      session.destroy();
      await gateway.stop();
    }
  });
});
