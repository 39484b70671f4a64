/**
 * HTTP/2 downstream, black-box: curl over ALPN h2 on the HTTPS listener and with prior knowledge on
 * the plain one (GATEHOUSE_PROXY_H2C), the same request object as HTTP/1.1 (headers, request ID,
 * access log), nghttp for the server's SETTINGS, h2load for many streams per connection, raw frames
 * for a protocol error, Node's client for the header-list limit and a rapid-reset flood (CVE-2023-44487)
 * while another client keeps being served.
 */
import assert from 'node:assert/strict';
import { connect, constants, type ClientHttp2Session } from 'node:http2';
import { connect as tcpConnect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { TestPki } from '../support/pki.js';
import { eventually, startTestGateway, type TestGateway } from './helpers/gateway.js';
import { curl, requireTool, tool } from './helpers/http2-tools.js';
import { startUpstream, type TestUpstream } from './helpers/upstream.js';

const pki = new TestPki('Gatehouse HTTP2 Test CA');
const certificate = pki.leaf({ dns: ['localhost'], ips: ['127.0.0.1'] });

/** Echoes the request it got, and answers with hop-by-hop headers that must not reach an HTTP/2 client. */
function echoWithHopHeaders(): Parameters<typeof startUpstream>[0] {
  return (req, res) => {
    let bytes = 0;
    req.on('data', (chunk: Buffer) => (bytes += chunk.length));
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json', connection: 'x-hop', 'x-hop': 'secret', 'keep-alive': 'timeout=5' });
      res.end(JSON.stringify({ httpVersion: req.httpVersion, headers: req.headers, url: req.url, bytes }));
    });
  };
}

let upstream: TestUpstream;
let gw: TestGateway;
let tlsUrl: string;

before(async () => {
  requireTool('curl');
  requireTool('nghttp');
  requireTool('h2load');
  upstream = await startUpstream(echoWithHopHeaders());
  gw = await startTestGateway(
    { _format_version: '3.0', services: [{ name: 'echo', url: upstream.url, routes: [{ name: 'echo', paths: ['/'], preserve_host: true }] }] },
    { PROXY_H2C: 'true', PROXY_TLS_LISTEN: '127.0.0.1:0', TLS_CERT: certificate.certPath, TLS_KEY: certificate.keyPath },
  );
  tlsUrl = gw.gateway.proxyTlsUrl!;
});

after(async () => {
  await gw?.close();
  await upstream?.close();
});

interface Echo {
  httpVersion: string;
  headers: Record<string, string>;
  url: string;
  bytes: number;
}

describe('curl over HTTP/2', () => {
  for (const [name, url, args, scheme] of [
    ['--http2-prior-knowledge on the plain listener (h2c)', () => gw.url, ['--http2-prior-knowledge'], 'http'],
    ['--http2 on the HTTPS listener (ALPN h2)', () => tlsUrl, ['--http2', '--cacert', pki.root.certPath], 'https'],
  ] as const) {
    test(`${name}: the upstream gets HTTP/1.1 with Host from :authority and the gateway's headers; hop-by-hop headers stay behind`, async () => {
      const base = url();
      const answer = await curl(`${base}/h2/path?a[b]=1&a[b]=2`, [...args, '--globoff', '-H', 'x-client: yes', '--data-binary', 'hello']);
      assert.equal(answer.httpVersion, '2');
      assert.equal(answer.status, 200);
      const echo = JSON.parse(answer.body) as Echo;
      assert.equal(echo.httpVersion, '1.1');
      assert.equal(echo.url, '/h2/path?a[b]=1&a[b]=2');
      assert.equal(echo.headers.host, new URL(base).host);
      assert.equal(echo.headers['x-client'], 'yes');
      assert.equal(echo.headers['x-forwarded-proto'], scheme);
      assert.equal(echo.bytes, 5);
      assert.ok(!Object.keys(echo.headers).some((header) => header.startsWith(':')), 'no pseudo-header reached the upstream');
      // The request ID travels both ways, the same one.
      assert.match(answer.headers['x-request-id']!, /\S/);
      assert.equal(echo.headers['x-request-id'], answer.headers['x-request-id']);
      for (const header of ['connection', 'keep-alive', 'x-hop']) assert.equal(answer.headers[header], undefined, header);
      const line = await eventually(() => gw.accessLogs().find((entry) => entry.request_id === answer.headers['x-request-id']), 'the access-log line');
      assert.equal(line.method, 'POST');
      assert.equal(line.path, '/h2/path');
      assert.equal(line.route, 'echo');
      assert.equal(line.status, 200);
      assert.equal(line.bytes_in, 5);
    });
  }

  test('HTTP/1.1 is still served on both listeners', async () => {
    assert.equal((await curl(`${gw.url}/h1`, ['--http1.1'])).httpVersion, '1.1');
    assert.equal((await curl(`${tlsUrl}/h1`, ['--http1.1', '--cacert', pki.root.certPath])).httpVersion, '1.1');
  });

  test('a request the gateway answers itself (no route) is the same JSON error over HTTP/2', async () => {
    const other = await startTestGateway({ _format_version: '3.0' }, { PROXY_H2C: 'true' });
    try {
      const answer = await curl(`${other.url}/nothing`, ['--http2-prior-knowledge']);
      assert.equal(answer.httpVersion, '2');
      assert.equal(answer.status, 404);
      assert.equal(JSON.parse(answer.body).error, 'no_route');
    } finally {
      await other.close();
    }
  });
});

test('without GATEHOUSE_PROXY_H2C the plain listener speaks only HTTP/1.1', async () => {
  const plain = await startTestGateway({ _format_version: '3.0', services: [{ name: 'echo', url: upstream.url, routes: [{ name: 'echo', paths: ['/'] }] }] });
  try {
    const refused = await tool('curl', ['-sS', '--http2-prior-knowledge', '-o', '/dev/null', '-w', '%{http_version} %{http_code}', `${plain.url}/x`]);
    assert.ok(refused.code !== 0 || !refused.stdout.startsWith('2 200'), `HTTP/2 prior knowledge was answered: ${refused.stdout}`);
    assert.equal((await curl(`${plain.url}/x`, ['--http1.1'])).status, 200);
  } finally {
    await plain.close();
  }
});

test("nghttp: the server's SETTINGS limit concurrent streams and the header list", async () => {
  const result = await tool('nghttp', ['-nv', `${gw.url}/settings`]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /SETTINGS_MAX_CONCURRENT_STREAMS\(0x03\):128/);
  assert.match(result.stdout, /SETTINGS_MAX_HEADER_LIST_SIZE\(0x06\):16384/);
  assert.match(result.stdout, /:status: 200/);
});

test('h2load: many streams on each connection, every one answered', async () => {
  const result = await tool('h2load', ['-n', '2000', '-c', '4', '-m', '16', `${gw.url}/load`]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /requests: 2000 total, 2000 started, 2000 done, 2000 succeeded, 0 failed, 0 errored/);
  assert.match(result.stdout, /status codes: 2000 2xx/);
});

function session(url: string): Promise<ClientHttp2Session> {
  return new Promise((resolve, reject) => {
    const client = connect(url);
    client.once('connect', () => resolve(client));
    client.once('error', reject);
  });
}

function get(client: ClientHttp2Session, path: string, headers: Record<string, string> = {}): Promise<{ status: number; error?: string }> {
  return new Promise((resolve) => {
    const stream = client.request({ ':path': path, ...headers });
    let status = 0;
    stream.on('response', (head) => (status = Number(head[':status'])));
    stream.on('data', () => undefined);
    stream.on('end', () => resolve({ status }));
    stream.on('error', (error: Error & { code?: string }) => resolve({ status, error: error.code ?? error.message }));
    stream.end();
  });
}

test('a header list over GATEHOUSE_MAX_HEADER_BYTES is refused before the upstream', async () => {
  const seen = upstream.seen.length;
  const client = await session(gw.url);
  try {
    const refused = await get(client, '/big-head', { 'x-big': 'a'.repeat(20_000) });
    assert.equal(refused.status, 431);
    assert.equal(upstream.seen.length, seen, 'the upstream was reached');
  } finally {
    client.destroy();
  }
  const after = await session(gw.url);
  try {
    assert.equal((await get(after, '/after-big-head')).status, 200);
  } finally {
    after.close();
  }
});

test('a protocol error gets GOAWAY PROTOCOL_ERROR, and the gateway keeps serving', async () => {
  const { port } = new URL(gw.url);
  const frames = await new Promise<Buffer>((resolve, reject) => {
    const socket = tcpConnect(Number(port), '127.0.0.1');
    const received: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    socket.on('close', () => resolve(Buffer.concat(received)));
    socket.on('error', reject);
    const preface = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
    const settings = Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0]);
    // A DATA frame on stream 0 is a connection error of type PROTOCOL_ERROR (RFC 9113 §6.1).
    const badData = Buffer.from([0, 0, 1, 0, 0, 0, 0, 0, 0, 0x61]);
    socket.write(Buffer.concat([preface, settings, badData]));
    setTimeout(() => socket.destroy(), 3000).unref();
  });
  // Walk the frames the server sent: one must be GOAWAY (type 7) with error code PROTOCOL_ERROR (1).
  let goawayCode: number | null = null;
  for (let at = 0; at + 9 <= frames.length; ) {
    const length = frames.readUIntBE(at, 3);
    if (frames[at + 3] === 7) goawayCode = frames.readUInt32BE(at + 9 + 4);
    at += 9 + length;
  }
  assert.equal(goawayCode, constants.NGHTTP2_PROTOCOL_ERROR);
  assert.equal((await curl(`${gw.url}/still-up`, ['--http2-prior-knowledge'])).status, 200);
});

test('a rapid-reset flood (HEADERS then RST_STREAM, thousands) is cut off while another client keeps being served', async () => {
  const seenBefore = upstream.seen.length;
  const attacker = await session(gw.url);
  const goaway = new Promise<number>((resolve) => attacker.once('goaway', (code: number) => resolve(code)));
  attacker.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => attacker.once('close', () => resolve()));
  let sent = 0;
  const FLOOD = 20_000;
  const flood = (async () => {
    while (sent < FLOOD && !attacker.closed && !attacker.destroyed) {
      for (let i = 0; i < 100 && !attacker.destroyed; i++, sent++) {
        try {
          const stream = attacker.request({ ':path': `/flood/${sent}` });
          stream.on('error', () => undefined);
          stream.close(constants.NGHTTP2_CANCEL);
        } catch {
          return;
        }
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
  })();
  // Meanwhile, a well-behaved client on its own connection.
  const victim = await session(gw.url);
  const answers: Array<{ status: number; error?: string }> = [];
  const served = (async () => {
    const until = Date.now() + 1500;
    while (Date.now() < until || answers.length < 20) answers.push(await get(victim, '/victim'));
  })();
  await flood;
  assert.equal(await goaway, constants.NGHTTP2_ENHANCE_YOUR_CALM);
  await closed;
  await served;
  victim.close();
  assert.ok(sent < FLOOD, `the flood ran to its end (${sent} streams) without the connection being cut`);
  assert.ok(answers.length >= 20);
  assert.deepEqual(answers.filter((answer) => answer.status !== 200), [], 'every request of the other client succeeded');
  assert.ok(upstream.seen.length - seenBefore - answers.length < sent, 'the flood did not all reach the upstream');
  const line = await eventually(() => gw.logs.find((entry) => entry.msg.includes('rapid reset')), 'the rapid-reset log line');
  assert.equal(line.level, 'warn');
  // The gateway is alive and well.
  assert.equal((await curl(`${gw.url}/after-flood`, ['--http2-prior-knowledge'])).status, 200);
});
