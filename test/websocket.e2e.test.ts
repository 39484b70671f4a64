/**
 * Black-box: WebSocket through the real listeners, with the `ws` library as client and upstream.
 * Messages of every kind byte-exact (text, binary, fragmented, 16 MiB), ping/pong both ways, close
 * codes and reasons both ways, the other side closed when one goes away, subprotocols, key-auth and
 * jwt on the handshake (the same 401 as HTTP), route protocols (ws-only routes, a grpc route), bad
 * handshakes, an upstream's refusal and an unreachable upstream's 502, the idle timeout, wss on the
 * HTTPS listener, 1,000 concurrent sockets, the access-log line and metrics at close, other Upgrade
 * requests served as plain HTTP, and the drain closing what is still open at its timeout. The
 * websocket-size-limit plugin's suite is beside it (plugins/websocket-size-limit/test/).
 */
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import type { ClientOptions } from 'ws';
import { freePort } from '../support/free-port.js';
import { TestPki } from '../support/pki.js';
import { eventually, startTestGateway, type TestGateway } from './helpers/gateway.js';
import { closed, nextMessage, open, refusal } from './helpers/websocket-client.js';
import { startWebSocketUpstream, type WebSocketUpstream } from './helpers/websocket-upstream.js';

const HMAC_SECRET = 'a-secret-of-at-least-32-bytes-for-hs256!';

function hs256(payload: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${part({ alg: 'HS256', typ: 'JWT' })}.${part(payload)}`;
  return `${input}.${createHmac('sha256', HMAC_SECRET).update(input).digest('base64url')}`;
}

/** Writes a raw request and reads until the server closes (or `until` matches); over TLS with `tls`. */
function raw(url: string, text: string, until?: RegExp, tls?: { ca: string; servername: string }): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket: Socket = tls ? tlsConnect({ port: Number(port), host: hostname, ...tls }, () => socket.write(text)) : netConnect(Number(port), hostname, () => socket.write(text));
    let answer = '';
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString('latin1');
      if (until?.test(answer)) (socket.destroy(), resolve(answer));
    });
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
  });
}

const HANDSHAKE = (path: string, extra = '') =>
  `GET ${path} HTTP/1.1\r\nHost: gw.test\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n${extra}\r\n`;

describe('WebSocket', () => {
  let pki: TestPki;
  let upstream: WebSocketUpstream;
  let gw: TestGateway;
  let ws: string;
  let wssPort: number;

  before(async () => {
    pki = new TestPki();
    const leaf = pki.leaf({ dns: ['ws.example.test'] });
    upstream = await startWebSocketUpstream();
    const route = (name: string, extra: Record<string, unknown> = {}) => ({ name, paths: [`/${name}`], strip_path: false, ...extra });
    gw = await startTestGateway({
      _format_version: '3.0',
      certificates: [{ cert: leaf.cert, key: leaf.key, snis: [{ name: 'ws.example.test' }] }],
      services: [
        {
          name: 'chat',
          url: upstream.url,
          routes: [
            route('open'),
            route('wsonly', { protocols: ['ws', 'wss'] }),
            route('grpconly', { protocols: ['grpc'] }),
            route('refuse'),
            route('keyed', { plugins: [{ name: 'key-auth' }] }),
            route('signed', { plugins: [{ name: 'jwt' }] }),
          ],
        },
        { name: 'quiet', url: upstream.url, read_timeout: 300, routes: [route('idle')] },
        { name: 'gone', url: `http://127.0.0.1:${await freePort()}`, retries: 0, routes: [route('gone')] },
      ],
      consumers: [{ username: 'alice', keyauth_credentials: [{ key: 'alice-key' }], jwt_secrets: [{ key: 'alice-iss', algorithm: 'HS256', secret: HMAC_SECRET }] }],
      plugins: [{ name: 'prometheus', config: { status_code_metrics: true, latency_metrics: true, bandwidth_metrics: true } }],
    }, { PROXY_TLS_LISTEN: '127.0.0.1:0' });
    ws = gw.url.replace('http://', 'ws://');
    wssPort = Number(new URL(gw.gateway.proxyTlsUrl!).port);
  });
  after(async () => {
    await gw.close();
    await upstream.close();
  });

  it('relays text, binary, fragmented and 16 MiB messages byte-exact, both ways', async () => {
    const client = await open(`${ws}/open`);
    client.send('héllo ✓');
    assert.deepEqual(await nextMessage(client), { data: Buffer.from('héllo ✓'), isBinary: false });
    const binary = randomBytes(70_000);
    client.send(binary);
    const echoed = await nextMessage(client);
    assert.equal(echoed.isBinary, true);
    assert.ok(echoed.data.equals(binary));
    // One message in three frames: the upstream gets the whole message, and echoes it.
    const parts = [randomBytes(10), randomBytes(200), randomBytes(70_000)];
    parts.forEach((part, i) => client.send(part, { binary: true, fin: i === parts.length - 1 }));
    assert.ok((await nextMessage(client)).data.equals(Buffer.concat(parts)));
    const big = randomBytes(16 * 1024 * 1024);
    client.send(big);
    const back = await nextMessage(client);
    assert.equal(back.data.length, big.length);
    assert.ok(back.data.equals(big), 'the 16 MiB message came back byte for byte');
    client.close();
    await closed(client);
  });

  it('passes pings and pongs both ways', async () => {
    const client = await open(`${ws}/open`);
    const pong = new Promise<Buffer>((resolve) => client.once('pong', resolve));
    client.ping('are-you-there');
    assert.equal((await pong).toString(), 'are-you-there');
    const ping = new Promise<Buffer>((resolve) => client.once('ping', resolve));
    client.send('ping:from-upstream');
    assert.equal((await ping).toString(), 'from-upstream');
    client.close();
    await closed(client);
  });

  it('passes close codes and reasons both ways', async () => {
    const client = await open(`${ws}/open?who=client`);
    const done = closed(client);
    client.close(4000, 'client says bye');
    assert.deepEqual(await done, { code: 4000, reason: 'client says bye' });
    const seen = await eventually(() => upstream.closes.find((c) => c.path === '/open?who=client'), 'the upstream to see the close');
    assert.deepEqual({ code: seen.code, reason: seen.reason }, { code: 4000, reason: 'client says bye' });

    const other = await open(`${ws}/open?who=upstream`, [], { headers: { 'x-request-id': 'ws-closed-by-upstream' } });
    const byUpstream = closed(other);
    other.send('close:4001:upstream says bye');
    assert.deepEqual(await byUpstream, { code: 4001, reason: 'upstream says bye' });
    const logged = await eventually(() => gw.accessLogs().find((line) => line.request_id === 'ws-closed-by-upstream'), 'the access-log line');
    assert.deepEqual(logged.websocket, { closed_by: 'upstream', close_code: null });
  });

  it('closes the other side when one goes away without a close frame', async () => {
    const client = await open(`${ws}/open?drop=upstream`);
    const done = closed(client);
    client.send('drop');
    assert.equal((await done).code, 1006);

    const other = await open(`${ws}/open?drop=client`);
    other.send('hello');
    await nextMessage(other);
    other.terminate();
    const seen = await eventually(() => upstream.closes.find((c) => c.path === '/open?drop=client'), 'the upstream side closed');
    assert.equal(seen.code, 1006);
  });

  it('negotiates the subprotocol between client and upstream', async () => {
    const client = await open(`${ws}/open?sub`, ['chat.v2', 'chat.v1']);
    assert.equal(client.protocol, 'chat.v1');
    const seen = upstream.handshakes.find((h) => h.path === '/open?sub')!;
    assert.equal(seen.headers['sec-websocket-protocol'], 'chat.v2,chat.v1');
    client.close();
    await closed(client);
  });

  it('runs key-auth on the handshake: the same 401 as HTTP without a key, a tunnel with one', async () => {
    const refused = await refusal(`${ws}/keyed`);
    const http = await request(`${gw.url}/keyed`);
    const httpBody = (await http.body.json()) as Record<string, string>;
    const body = JSON.parse(refused.body) as Record<string, string>;
    assert.equal(refused.status, 401);
    assert.equal(http.statusCode, 401);
    assert.deepEqual({ message: body.message, error: body.error }, { message: httpBody.message, error: httpBody.error });
    assert.equal(refused.headers['www-authenticate'], http.headers['www-authenticate']);
    assert.equal(upstream.handshakes.filter((h) => h.path === '/keyed').length, 0);

    const client = await open(`${ws}/keyed`, [], { headers: { apikey: 'alice-key' } });
    client.send('with a key');
    assert.equal((await nextMessage(client)).data.toString(), 'with a key');
    assert.equal(upstream.handshakes.find((h) => h.path === '/keyed')!.headers['x-consumer-username'], 'alice');
    client.close();
    await closed(client);
  });

  it('runs jwt on the handshake', async () => {
    const refused = await refusal(`${ws}/signed`, { headers: { authorization: `Bearer ${hs256({ iss: 'nobody' })}` } });
    assert.equal(refused.status, 401);
    const client = await open(`${ws}/signed`, [], { headers: { authorization: `Bearer ${hs256({ iss: 'alice-iss' })}` } });
    client.send('signed');
    assert.equal((await nextMessage(client)).data.toString(), 'signed');
    client.close();
    await closed(client);
  });

  it('answers handshakes a route does not take, malformed ones and an upstream refusal with 4xx', async () => {
    // A grpc route takes no WebSocket: not routed there (404), as a request of another protocol.
    const grpc = await refusal(`${ws}/grpconly`);
    assert.equal(grpc.status, 404);
    assert.equal((JSON.parse(grpc.body) as { error: string }).error, 'no_route');
    // A ws-only route takes no plain request.
    const plain = await request(`${gw.url}/wsonly`);
    assert.equal(plain.statusCode, 426);
    assert.equal(plain.headers.upgrade, 'websocket');
    assert.equal(((await plain.body.json()) as { error: string }).error, 'websocket_required');
    const client = await open(`${ws}/wsonly`);
    client.close();
    await closed(client);
    // Handshakes a relay cannot accept: wrong version, no key, a POST.
    for (const text of [
      HANDSHAKE('/open', 'Sec-WebSocket-Version: 8\r\n'),
      `GET /open HTTP/1.1\r\nHost: gw.test\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      `POST /open HTTP/1.1\r\nHost: gw.test\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nContent-Length: 0\r\n\r\n`,
    ]) {
      const answer = await raw(gw.url, text);
      assert.match(answer, /^HTTP\/1\.1 400 /, answer);
      assert.match(answer, /sec-websocket-version: 13/i);
      assert.match(answer, /"error":"bad_request"/);
    }
    // The upstream's own refusal reaches the client as it was.
    const refused = await refusal(`${ws}/refuse`);
    assert.equal(refused.status, 403);
    // An upstream that cannot be reached is the contract's 502, its cause in the log.
    const gone = await refusal(`${ws}/gone`, { headers: { 'x-request-id': 'ws-gone' } });
    assert.equal(gone.status, 502);
    assert.equal((JSON.parse(gone.body) as { error: string }).error, 'upstream_unavailable');
    const logged = await eventually(() => gw.accessLogs().find((line) => line.request_id === 'ws-gone'), 'the access-log line');
    assert.match(String(logged.cause), /^ECONNREFUSED 127\.0\.0\.1:\d+$/);
  });

  it('serves other Upgrade requests (h2c) as plain HTTP, body and keep-alive included', async () => {
    const answer = await raw(
      gw.url,
      'POST /open/x HTTP/1.1\r\nHost: gw.test\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAoAAAAAIAAAAA\r\nContent-Length: 3\r\n\r\nabc' +
        'GET /open/y HTTP/1.1\r\nHost: gw.test\r\n\r\n',
      /"url":"\/open\/y"[^}]*}/,
    );
    assert.equal(answer.match(/HTTP\/1\.1 200 /g)?.length, 2, answer);
    assert.match(answer, /"method":"POST","url":"\/open\/x","upgrade":null/);
    const overTls = await raw(`https://127.0.0.1:${wssPort}`, 'GET /open/z HTTP/1.1\r\nHost: ws.example.test\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n', /"url":"\/open\/z"[^}]*}/, { ca: pki.root.cert, servername: 'ws.example.test' });
    assert.match(overTls, /^HTTP\/1\.1 200 /, overTls);
  });

  it('closes a tunnel idle for the service read_timeout, on both sides', async () => {
    const client = await open(`${ws}/idle`);
    const done = await closed(client);
    assert.equal(done.code, 1006);
    await eventually(() => upstream.closes.find((c) => c.path === '/idle'), 'the upstream side closed too');
    const logged = await eventually(() => gw.accessLogs().find((line) => line.path === '/idle'), 'the access-log line');
    assert.equal((logged.websocket as { closed_by: string }).closed_by, 'gateway');
    assert.match(String(logged.cause), /idle for read_timeout \(300ms\)/);
  });

  it('speaks wss:// on the HTTPS listener', async () => {
    const client = await open(`wss://127.0.0.1:${wssPort}/wsonly`, [], { ca: pki.root.cert, servername: 'ws.example.test' } as ClientOptions);
    const message = randomBytes(100_000);
    client.send(message);
    assert.ok((await nextMessage(client)).data.equals(message));
    const seen = upstream.handshakes.at(-1)!;
    assert.equal(seen.headers['x-forwarded-proto'], 'https');
    client.close(1000);
    await closed(client);
  });

  it('holds 1,000 concurrent sockets on one instance', async () => {
    const clients = await Promise.all(Array.from({ length: 1000 }, (_, i) => open(`${ws}/open?n=${i}`)));
    await eventually(() => (upstream.open.size >= 1000 ? true : undefined), '1,000 upstream sockets', 20_000);
    const replies = await Promise.all(
      clients.map((client, i) => {
        const reply = nextMessage(client);
        client.send(`message ${i}`);
        return reply;
      }),
    );
    replies.forEach((reply, i) => assert.equal(reply.data.toString(), `message ${i}`));
    await Promise.all(clients.map((client) => (client.close(), closed(client))));
  });

  it('logs one access-log line and records metrics when a tunnel closes', async () => {
    const client = await open(`${ws}/open?logged`, [], { headers: { 'x-request-id': 'ws-logged-1' } });
    client.send(Buffer.alloc(1000));
    await nextMessage(client);
    assert.equal(gw.accessLogs().filter((line) => line.request_id === 'ws-logged-1').length, 0, 'no line while the tunnel is open');
    client.close(1000);
    await closed(client);
    const line = await eventually(() => gw.accessLogs().find((entry) => entry.request_id === 'ws-logged-1'), 'the access-log line');
    assert.equal(gw.accessLogs().filter((entry) => entry.request_id === 'ws-logged-1').length, 1);
    assert.equal(line.status, 101);
    assert.equal(line.route, 'open');
    assert.deepEqual(line.websocket, { closed_by: 'client', close_code: null });
    // Whole frames: 1,000 bytes masked (8-byte header) and a masked close (8 bytes) in; the echo (4) and the close reply (4) out.
    assert.deepEqual([line.bytes_in, line.bytes_out], [1016, 1008]);
    const metrics = await (await request(`${gw.adminUrl}/metrics`)).body.text();
    assert.match(metrics, /gatehouse_websocket_connections_total\{service="chat",route="open",closed_by="client",consumer=""\} \d+/);
    assert.match(metrics, /gatehouse_websocket_duration_ms_count\{service="chat",route="open"\} \d+/);
    assert.match(metrics, /gatehouse_websocket_bytes\{service="chat",route="open",direction="ingress",consumer=""\} \d+/);
    assert.match(metrics, /gatehouse_http_requests_total\{service="chat",route="open",code="101",consumer=""\} \d+/);
  });
});

describe('WebSocket and the drain', () => {
  it('lets open tunnels run through the drain, then closes them at its timeout', async () => {
    const upstream = await startWebSocketUpstream();
    const gw = await startTestGateway({ _format_version: '3.0', services: [{ name: 'chat', url: upstream.url, routes: [{ name: 'open', paths: ['/open'] }] }] }, { DRAIN_TIMEOUT_MS: '800' });
    try {
      const client = await open(`${gw.url.replace('http://', 'ws://')}/open`);
      const done = closed(client);
      const drained = gw.gateway.close();
      await new Promise((resolve) => setTimeout(resolve, 200));
      client.send('still here');
      assert.equal((await nextMessage(client)).data.toString(), 'still here');
      await drained;
      await done;
      assert.ok(gw.logs.some((line) => line.msg === 'drain timeout reached; closing remaining connections' && line.open_websockets === 1));
      const logged = await eventually(() => gw.accessLogs().find((line) => line.path === '/open'), 'the access-log line');
      assert.match(String(logged.cause), /drain timeout/);
    } finally {
      await upstream.close();
    }
  });
});
