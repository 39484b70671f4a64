/** Black-box: upstreams that refuse, reset, hang, stall or send garbage get the contract's 502/504, with the cause logged. */
import assert from 'node:assert/strict';
import { createServer as createTcpServer, type Server as TcpServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { eventually, startTestGateway, type TestGateway } from './helpers/gateway.js';
import { closedPort, startUpstream, type TestUpstream } from './helpers/upstream.js';

async function tcpServer(onConnection: (socket: import('node:net').Socket) => void): Promise<{ server: TcpServer; port: number }> {
  const server = createTcpServer(onConnection);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

describe('upstream failures', () => {
  let gw: TestGateway;
  let refusedPort: number;
  const servers: TcpServer[] = [];
  let slow: TestUpstream;
  let partial: TestUpstream;
  let sink: TestUpstream;

  before(async () => {
    refusedPort = await closedPort();
    const reset = await tcpServer((socket) => socket.on('data', () => socket.resetAndDestroy()));
    const hang = await tcpServer(() => undefined);
    const garbage = await tcpServer((socket) => socket.on('data', () => socket.end('NOT HTTP AT ALL\r\n\r\n')));
    servers.push(reset.server, hang.server, garbage.server);
    slow = await startUpstream((_req, res) => setTimeout(() => res.end('late'), 2_000).unref());
    partial = await startUpstream((_req, res) => {
      res.writeHead(200, { 'content-length': '1000' });
      res.write('only part of it');
      setTimeout(() => res.socket?.destroy(), 50);
    });
    // Never reads the request body, so a large upload stalls on the upstream side.
    sink = await startUpstream((req) => req.pause());
    const service = (name: string, url: string, extra: Record<string, unknown> = {}) => ({
      name,
      url,
      retries: 0,
      ...extra,
      routes: [{ name, paths: [`/${name}`] }],
    });
    gw = await startTestGateway({
      _format_version: '3.0',
      services: [
        service('refused', `http://127.0.0.1:${refusedPort}`),
        service('reset', `http://127.0.0.1:${reset.port}`),
        service('hang', `http://127.0.0.1:${hang.port}`, { read_timeout: 200 }),
        service('garbage', `http://127.0.0.1:${garbage.port}`),
        service('slow', slow.url, { read_timeout: 300 }),
        service('partial', partial.url),
        service('stalled', sink.url, { write_timeout: 300, read_timeout: 10_000 }),
      ],
    });
  });
  after(async () => {
    await gw.close();
    for (const server of servers) server.close();
    await Promise.all([slow.close(), partial.close(), sink.close()]);
  });

  async function expectError(path: string, status: number, error: string, cause: RegExp, init: Parameters<typeof request>[1] = {}) {
    const res = await request(`${gw.url}${path}`, init);
    assert.equal(res.statusCode, status, path);
    const body = (await res.body.json()) as Record<string, string>;
    assert.equal(body.error, error);
    assert.equal(body.request_id, res.headers['x-request-id']);
    const line = await eventually(() => gw.accessLogs().find((l) => l.request_id === body.request_id), 'access line');
    assert.match(String(line.cause), cause);
    assert.equal(line.error, error);
  }

  it('502 upstream_unavailable when the upstream refuses, naming ECONNREFUSED and the target', async () => {
    await expectError('/refused', 502, 'upstream_unavailable', new RegExp(`ECONNREFUSED 127\\.0\\.0\\.1:${refusedPort}`));
  });

  it('502 upstream_unavailable when the upstream resets before headers', async () => {
    await expectError('/reset', 502, 'upstream_unavailable', /ECONNRESET|UND_ERR_SOCKET/);
  });

  it('504 upstream_timeout when the upstream accepts but never answers', async () => {
    await expectError('/hang', 504, 'upstream_timeout', /UND_ERR_HEADERS_TIMEOUT \(read_timeout 200ms\)/);
  });

  it('504 upstream_timeout when the answer comes after read_timeout', async () => {
    await expectError('/slow', 504, 'upstream_timeout', /read_timeout 300ms/);
  });

  it('502 upstream_invalid_response when the upstream sends garbage', async () => {
    await expectError('/garbage', 502, 'upstream_invalid_response', /HPE_/);
  });

  it('504 upstream_timeout (write_timeout) when the upstream stops reading the body', async () => {
    const body = Buffer.alloc(32 * 1024 * 1024, 1);
    await expectError('/stalled', 504, 'upstream_timeout', /write_timeout 300ms/, { method: 'POST', body });
  });

  it('cuts the response off when the upstream fails after headers were sent', async () => {
    const res = await request(`${gw.url}/partial`);
    assert.equal(res.statusCode, 200);
    await assert.rejects(res.body.text());
    const id = res.headers['x-request-id'];
    const line = await eventually(() => gw.accessLogs().find((l) => l.request_id === id), 'access line');
    assert.ok(line.cause, 'the cut-off is logged with its cause');
  });

  it('survives a client that aborts mid-upload, and logs it as 499', async () => {
    const before = gw.accessLogs().length;
    const controller = new AbortController();
    let sent = 0;
    const body = new Readable({
      read() {
        if (sent++ === 20) controller.abort();
        else this.push(Buffer.alloc(64 * 1024));
      },
    });
    await assert.rejects(request(`${gw.url}/stalled`, { method: 'POST', body, signal: controller.signal }));
    const line = await eventually(() => gw.accessLogs().slice(before).find((l) => l.path === '/stalled'), 'access line');
    assert.equal(line.status, 499);
    const res = await request(`${gw.url}/nothing`);
    assert.equal(res.statusCode, 404);
    await res.body.dump();
  });

  it('survives clients that abort mid-response and keeps serving', async () => {
    const controller = new AbortController();
    const pending = request(`${gw.url}/slow`, { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await assert.rejects(pending);
    const res = await request(`${gw.url}/nothing`);
    assert.equal(res.statusCode, 404);
    await res.body.dump();
  });
});
