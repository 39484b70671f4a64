/** Black-box: the proxy's request/response contract — routing, headers, request IDs, traces, access log. */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { eventually, startTestGateway, type TestGateway } from './helpers/gateway.js';
import { rawRequest } from './helpers/raw-http.js';
import { startUpstream, type TestUpstream } from './helpers/upstream.js';

describe('proxy basics', () => {
  let upstream: TestUpstream;
  let gw: TestGateway;

  before(async () => {
    upstream = await startUpstream();
    gw = await startTestGateway({
      _format_version: '3.0',
      services: [
        {
          name: 'orders',
          url: `${upstream.url}/v1`,
          routes: [
            { name: 'orders-api', paths: ['/orders'], methods: ['GET', 'POST'] },
            { name: 'keep-host', paths: ['/keep'], preserve_host: true, strip_path: false },
          ],
        },
      ],
    });
  });
  after(async () => {
    await gw.close();
    await upstream.close();
  });

  it('proxies a matched route with strip_path and the service path', async () => {
    const res = await request(`${gw.url}/orders/42`);
    assert.equal(res.statusCode, 200);
    const body = (await res.body.json()) as { url: string };
    assert.equal(body.url, '/v1/42');
    assert.equal(res.headers['x-upstream'], 'echo');
  });

  it('passes nested, repeated and encoded query strings byte-for-byte', async () => {
    const query = 'a[b][c]=1&a[b][d]=2&x=1&x=2&e=%20%2F%3F&plus=a+b&empty=&flag';
    const res = await request(`${gw.url}/orders/list?${query}`);
    const body = (await res.body.json()) as { url: string };
    assert.equal(body.url, `/v1/list?${query}`);
  });

  it('returns and forwards a generated request ID, and reuses a sane incoming one', async () => {
    const res = await request(`${gw.url}/orders`);
    const id = res.headers['x-request-id'] as string;
    assert.match(id, /^[0-9a-f-]{36}$/);
    const body = (await res.body.json()) as { headers: Record<string, string> };
    assert.equal(body.headers['x-request-id'], id);

    const kept = await request(`${gw.url}/orders`, { headers: { 'x-request-id': 'client-id-123' } });
    assert.equal(kept.headers['x-request-id'], 'client-id-123');
    await kept.body.dump();

    const replaced = await request(`${gw.url}/orders`, { headers: { 'x-request-id': 'x'.repeat(201) } });
    assert.notEqual(replaced.headers['x-request-id'], 'x'.repeat(201));
    await replaced.body.dump();
  });

  it('sends latency headers', async () => {
    const res = await request(`${gw.url}/orders`);
    await res.body.dump();
    assert.match(String(res.headers['x-gatehouse-upstream-latency']), /^\d+$/);
    assert.match(String(res.headers['x-gatehouse-proxy-latency']), /^\d+$/);
  });

  it('sets X-Forwarded-* and ignores forged values from an untrusted peer', async () => {
    const res = await request(`${gw.url}/orders/x?q=1`, {
      headers: { host: 'api.example.com', 'x-forwarded-for': '6.6.6.6', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'evil' },
    });
    const { headers } = (await res.body.json()) as { headers: Record<string, string> };
    assert.equal(headers['x-forwarded-for'], '6.6.6.6, 127.0.0.1');
    assert.equal(headers['x-real-ip'], '127.0.0.1');
    assert.equal(headers['x-forwarded-proto'], 'http');
    assert.equal(headers['x-forwarded-host'], 'api.example.com');
    assert.equal(headers['x-forwarded-port'], new URL(gw.url).port);
    assert.equal(headers['x-forwarded-path'], '/orders/x');
    assert.equal(headers['x-forwarded-prefix'], '/orders');
    assert.equal(headers.host, `127.0.0.1:${upstream.port}`);
  });

  it('removes hop-by-hop headers but never lets the client strip a gateway header', async () => {
    // Raw bytes: HTTP clients refuse to send such a Connection header themselves.
    const res = await rawRequest(
      gw.url,
      'GET /orders HTTP/1.1\r\nHost: x\r\nConnection: close, x-secret, x-request-id, x-forwarded-for, traceparent\r\n' +
        'X-Secret: hidden\r\nX-Keep: kept\r\nProxy-Authorization: Basic abc\r\nKeep-Alive: timeout=5\r\nTE: trailers\r\n\r\n',
    );
    const { headers } = JSON.parse(res.body) as { headers: Record<string, string> };
    assert.equal(headers['x-secret'], undefined);
    assert.equal(headers['proxy-authorization'], undefined);
    assert.equal(headers['keep-alive'], undefined);
    assert.equal(headers.te, undefined);
    assert.equal(headers['x-keep'], 'kept');
    assert.equal(headers['x-request-id'], res.headers['x-request-id']);
    assert.ok(headers['x-forwarded-for']);
    assert.ok(headers.traceparent);
  });

  it('propagates an incoming traceparent with the gateway as parent, and starts one when none came', async () => {
    const incoming = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const res = await request(`${gw.url}/orders`, { headers: { traceparent: incoming, tracestate: 'vendor=1' } });
    const { headers } = (await res.body.json()) as { headers: Record<string, string> };
    const [version, traceId, parent, flags] = headers.traceparent!.split('-');
    assert.equal(version, '00');
    assert.equal(traceId, '0af7651916cd43dd8448eb211c80319c');
    assert.notEqual(parent, 'b7ad6b7169203331');
    assert.equal(flags, '01');
    assert.equal(headers.tracestate, 'vendor=1');

    const fresh = await request(`${gw.url}/orders`);
    const created = ((await fresh.body.json()) as { headers: Record<string, string> }).headers.traceparent!;
    assert.match(created, /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  });

  it('keeps the client Host with preserve_host', async () => {
    const res = await request(`${gw.url}/keep/it`, { headers: { host: 'client.example:8080' } });
    const body = (await res.body.json()) as { url: string; headers: Record<string, string> };
    assert.equal(body.headers.host, 'client.example:8080');
    assert.equal(body.url, '/v1/keep/it');
  });

  it('answers 404 no_route for unknown paths and for a disallowed method, with the contract body', async () => {
    for (const [method, path] of [['GET', '/nothing-here'], ['DELETE', '/orders']] as const) {
      const res = await request(`${gw.url}${path}`, { method });
      assert.equal(res.statusCode, 404);
      const body = (await res.body.json()) as Record<string, string>;
      assert.equal(body.error, 'no_route');
      assert.equal(body.request_id, res.headers['x-request-id']);
      assert.ok(body.message);
    }
  });

  it('writes one access-log line per request with the contract fields', async () => {
    const res = await request(`${gw.url}/orders/log-me`, { method: 'POST', body: 'hello', headers: { authorization: 'Bearer secret-token' } });
    await res.body.dump();
    const id = res.headers['x-request-id'];
    const line = await eventually(() => gw.accessLogs().find((l) => l.request_id === id), 'access log line');
    assert.equal(line.method, 'POST');
    assert.equal(line.path, '/orders/log-me');
    assert.equal(line.route, 'orders-api');
    assert.equal(line.service, 'orders');
    assert.equal(line.status, 200);
    assert.equal(line.upstream, `127.0.0.1:${upstream.port}`);
    assert.equal(line.bytes_in, 5);
    assert.ok((line.bytes_out as number) > 0);
    assert.equal(line.client_ip, '127.0.0.1');
    assert.match(String(line.trace_id), /^[0-9a-f]{32}$/);
    const latency = line.latency_ms as Record<string, number>;
    assert.equal(typeof latency.request, 'number');
    assert.equal(typeof latency.upstream, 'number');
    assert.equal(typeof latency.proxy, 'number');
    assert.ok(!JSON.stringify(gw.logs).includes('secret-token'));
  });

  it('keeps the access-log line valid JSON whatever the client sent in the host, path and request ID', async () => {
    const host = 'we"ird\\host.example';
    const requestId = 'id-with-"quote"-and-\\backslash';
    const path = '/orders/caf%C3%A9?q=%22';
    const res = await request(`${gw.url}${path}`, { headers: { host, 'x-request-id': requestId } });
    await res.body.dump();
    // The capture parses every line as JSON: a badly escaped line would fail there, not match here.
    const line = await eventually(() => gw.accessLogs().find((l) => l.request_id === requestId), 'access log line');
    assert.equal(line.host, host);
    assert.equal(line.path, '/orders/caf%C3%A9');
  });

  it('keeps the connection after an answer the gateway makes itself to a request without a body', async () => {
    const socket = connect(Number(new URL(gw.url).port), '127.0.0.1');
    await once(socket, 'connect');
    const answers: string[] = [];
    let pending = '';
    socket.on('data', (chunk: Buffer) => {
      pending += chunk.toString('latin1');
      const end = pending.indexOf('\r\n\r\n');
      const length = /content-length: (\d+)/i.exec(pending)?.[1];
      if (end !== -1 && length !== undefined && pending.length >= end + 4 + Number(length)) {
        answers.push(pending.slice(0, end + 4 + Number(length)));
        pending = pending.slice(end + 4 + Number(length));
      }
    });
    for (const path of ['/nowhere', '/nowhere-else']) {
      const before = answers.length;
      socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`);
      await eventually(() => (answers.length > before ? true : undefined), `the answer to ${path}`);
    }
    socket.destroy();
    assert.equal(answers.length, 2, 'both requests answered on one connection');
    for (const answer of answers) {
      assert.match(answer, /^HTTP\/1\.1 404 /);
      assert.doesNotMatch(answer, /\r\nconnection: close\r\n/i);
    }
  });
});
