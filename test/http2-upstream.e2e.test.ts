/**
 * HTTP/2 to upstreams, black-box: a service with `http_version: "2"` reaches a node:http2 upstream
 * with h2c (prior knowledge) for http, and h2 by ALPN for https with the service's upstream TLS
 * settings (ca_certificates; an untrusted certificate is a 502 naming the cause) — whatever the client
 * spoke; a refused connection or a refused stream is retried on another target, an upstream that stops
 * taking the body is a 504 after write_timeout. And 100 MiB up and down over HTTP/2 on both sides of a
 * gateway process whose RSS stays flat.
 */
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { connect, constants, createSecureServer, createServer, type Http2Server, type Http2ServerRequest, type Http2ServerResponse, type Http2SecureServer } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { stringify } from 'yaml';
import { request } from 'undici';
import { freePort } from '../support/free-port.js';
import { TestPki } from '../support/pki.js';
import { writeChunks } from '../support/write-chunks.js';
import { startGatewayProcess, type GatewayProcess } from './helpers/gateway-process.js';
import { eventually, startTestGateway, type TestGateway } from './helpers/gateway.js';
import { curl, requireTool } from './helpers/http2-tools.js';

const MIB = 1024 * 1024;
const TRANSFER_MIB = 100;
/**
 * The gateway process's RSS may grow this much while 100 MiB pass each way: buffers and a grown young
 * generation, not the body (measured: 26 MiB for 100 MiB each way, 41 MiB for 400 — it does not
 * follow the body's size; a buffered body would add all of it). The HTTP/1.1 streaming suite allows 80.
 */
const MAX_RSS_GROWTH_MIB = 64;

const pki = new TestPki('Gatehouse HTTP2 Upstream CA');
const otherPki = new TestPki('Some Other CA');
const upstreamCertificate = pki.leaf({ dns: ['h2.test'], ips: ['127.0.0.1'] });
const untrustedCertificate = otherPki.leaf({ dns: ['h2.test'], ips: ['127.0.0.1'] });

/** Echoes what it saw as JSON; `/download/N` streams N MiB; a body is counted. */
function h2Handler(req: Http2ServerRequest, res: Http2ServerResponse): void {
  if (req.url.startsWith('/download/')) {
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    writeChunks(res, Buffer.alloc(MIB, 7), Number(req.url.slice('/download/'.length)));
    return;
  }
  let bytes = 0;
  req.on('data', (chunk: Buffer) => (bytes += chunk.length));
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ httpVersion: req.httpVersion, authority: req.authority, scheme: req.scheme, headers: req.headers, bytes }));
  });
}

function listening<T extends Http2Server | Http2SecureServer>(server: T): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

let plain: Http2Server;
let secure: Http2SecureServer;
let untrusted: Http2SecureServer;
/** Answers every stream with RST_STREAM REFUSED_STREAM: the request was not processed. */
let refusing: Http2Server;
/** Never reads a request body, so a large upload stalls on the upstream side. */
let stalled: Http2Server;
let gw: TestGateway;

before(async () => {
  requireTool('curl');
  plain = createServer(h2Handler);
  secure = createSecureServer({ cert: upstreamCertificate.cert, key: upstreamCertificate.key }, h2Handler);
  untrusted = createSecureServer({ cert: untrustedCertificate.cert, key: untrustedCertificate.key }, h2Handler);
  refusing = createServer();
  refusing.on('stream', (stream) => {
    // Closing with an error code destroys the stream with that error: expected here.
    stream.on('error', () => undefined);
    stream.close(constants.NGHTTP2_REFUSED_STREAM);
  });
  stalled = createServer((req) => req.pause());
  const [plainPort, securePort, untrustedPort] = [await listening(plain), await listening(secure), await listening(untrusted)];
  const [refusingPort, stalledPort, deadPort] = [await listening(refusing), await listening(stalled), await freePort()];
  const caId = '1b2c3d4e-5f60-4718-8293-a4b5c6d7e8f9';
  gw = await startTestGateway({
    _format_version: '3.0',
    ca_certificates: [{ id: caId, cert: pki.root.cert }],
    services: [
      { name: 'h2c', url: `http://127.0.0.1:${plainPort}`, http_version: '2', routes: [{ name: 'h2c', paths: ['/h2c'] }] },
      { name: 'h2-tls', url: `https://h2.test:${securePort}`, http_version: '2', ca_certificates: [caId], routes: [{ name: 'h2-tls', paths: ['/h2-tls'] }] },
      { name: 'h2-untrusted', url: `https://h2-other.test:${untrustedPort}`, http_version: '2', ca_certificates: [caId], retries: 0, routes: [{ name: 'h2-untrusted', paths: ['/h2-untrusted'] }] },
      { name: 'h2-retried', url: 'http://h2-retry.test', http_version: '2', retries: 2, routes: [{ name: 'h2-retried', paths: ['/h2-retried'] }] },
      { name: 'h2-refused', url: `http://127.0.0.1:${refusingPort}`, http_version: '2', retries: 0, routes: [{ name: 'h2-refused', paths: ['/h2-refused'] }] },
      {
        name: 'h2-plugged',
        url: `http://127.0.0.1:${plainPort}`,
        http_version: '2',
        routes: [
          { name: 'h2-transformed', paths: ['/h2-transformed'], plugins: [{ name: 'response-transformer', config: { add: { json: ['added:yes'] } } }] },
          { name: 'h2-cached', paths: ['/h2-cached'], plugins: [{ name: 'proxy-cache', config: { strategy: 'memory' } }] },
        ],
      },
      { name: 'h2-stalled', url: `http://127.0.0.1:${stalledPort}`, http_version: '2', retries: 0, write_timeout: 300, read_timeout: 10_000, routes: [{ name: 'h2-stalled', paths: ['/h2-stalled'] }] },
    ],
    upstreams: [
      { name: 'h2.test', targets: [{ target: `127.0.0.1:${securePort}` }] },
      { name: 'h2-other.test', targets: [{ target: `127.0.0.1:${untrustedPort}` }] },
      // A closed port, an upstream that refuses every stream, and one that answers.
      { name: 'h2-retry.test', targets: [`127.0.0.1:${deadPort}`, `127.0.0.1:${refusingPort}`, `127.0.0.1:${plainPort}`].map((target) => ({ target })) },
    ],
  });
});

after(async () => {
  await gw?.close();
  for (const server of [plain, secure, untrusted, refusing, stalled]) server?.close();
});

interface Seen {
  httpVersion: string;
  authority: string;
  scheme: string;
  headers: Record<string, string>;
  bytes: number;
}

test('http_version "2" over http: the upstream is reached with h2c, the gateway headers as for HTTP/1.1', async () => {
  const answer = await curl(`${gw.url}/h2c/echo?x=1`, ['--http1.1', '-H', 'x-client: yes', '--data-binary', 'hello']);
  assert.equal(answer.status, 200);
  const seen = JSON.parse(answer.body) as Seen;
  assert.equal(seen.httpVersion, '2.0');
  assert.equal(seen.scheme, 'http');
  assert.match(seen.authority, /^127\.0\.0\.1:\d+$/);
  assert.equal(seen.headers['x-client'], 'yes');
  assert.equal(seen.headers['x-request-id'], answer.headers['x-request-id']);
  assert.equal(seen.headers['x-forwarded-proto'], 'http');
  assert.equal(seen.bytes, 5);
});

test('http_version "2" over https: h2 by ALPN, verified against the service ca_certificates, SNI the upstream name', async () => {
  const answer = await curl(`${gw.url}/h2-tls/echo`, ['--http1.1']);
  assert.equal(answer.status, 200);
  const seen = JSON.parse(answer.body) as Seen;
  assert.equal(seen.httpVersion, '2.0');
  assert.equal(seen.scheme, 'https');
  assert.match(seen.authority, /^h2\.test:\d+$/);
});

test("an upstream certificate the service does not trust is a 502 naming the cause", async () => {
  const answer = await curl(`${gw.url}/h2-untrusted/echo`, ['--http1.1']);
  assert.equal(answer.status, 502);
  assert.equal(JSON.parse(answer.body).error, 'upstream_unavailable');
  const line = await eventually(() => gw.accessLogs().find((entry) => entry.request_id === answer.headers['x-request-id']), 'the access-log line');
  assert.match(String(line.cause), /unknown CA/);
});

test("a refused connection and a refused stream are retried on another of the upstream's targets (retries)", async () => {
  // Round robin over a closed port, a refusing upstream and an answering one: every request needs up to two retries.
  for (let i = 0; i < 9; i++) {
    const res = await request(`${gw.url}/h2-retried/echo`);
    const text = await res.body.text();
    assert.equal(res.statusCode, 200, `request ${i + 1}: ${text}`);
    assert.equal((JSON.parse(text) as Seen).httpVersion, '2.0');
  }
});

test('a refused stream without retries is a 502 upstream_unavailable naming the stream error', async () => {
  const res = await request(`${gw.url}/h2-refused/echo`);
  assert.equal(res.statusCode, 502);
  const body = (await res.body.json()) as Record<string, string>;
  assert.equal(body.error, 'upstream_unavailable');
  const line = await eventually(() => gw.accessLogs().find((entry) => entry.request_id === body.request_id), 'the access-log line');
  assert.match(String(line.cause), /ERR_HTTP2_STREAM_ERROR 127\.0\.0\.1:\d+/);
});

test("response-transformer's JSON edits and proxy-cache work on an HTTP/2 upstream's answers", async () => {
  const transformed = await request(`${gw.url}/h2-transformed/echo`);
  const text = await transformed.body.text();
  assert.equal(transformed.statusCode, 200, text);
  const seen = JSON.parse(text) as Seen & { added?: string };
  assert.equal(seen.httpVersion, '2.0');
  assert.equal(seen.added, 'yes');
  assert.equal(transformed.headers['content-length'], String(Buffer.byteLength(text)));

  const statuses: string[] = [];
  const bodies: string[] = [];
  for (let i = 0; i < 2; i++) {
    const res = await request(`${gw.url}/h2-cached/echo`);
    assert.equal(res.statusCode, 200);
    statuses.push(String(res.headers['x-cache-status']));
    bodies.push(await res.body.text());
  }
  assert.deepEqual(statuses, ['Miss', 'Hit']);
  assert.equal(bodies[1], bodies[0]);
});

test('an HTTP/2 upstream that stops taking the body is a 504 upstream_timeout after write_timeout', async () => {
  const res = await request(`${gw.url}/h2-stalled/upload`, { method: 'POST', body: Buffer.alloc(32 * MIB, 1) });
  assert.equal(res.statusCode, 504);
  const body = (await res.body.json()) as Record<string, string>;
  assert.equal(body.error, 'upstream_timeout');
  const line = await eventually(() => gw.accessLogs().find((entry) => entry.request_id === body.request_id), 'the access-log line');
  assert.match(String(line.cause), /write_timeout 300ms/);
});

/** RSS of a process, MiB (Linux). */
function rssMiB(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match![1]) / 1024;
}

test(`${TRANSFER_MIB} MiB up and down over HTTP/2 on both sides keep the gateway's RSS flat`, async () => {
  const sink = createServer(h2Handler);
  const sinkPort = await listening(sink);
  const dir = await mkdtemp(join(tmpdir(), 'gatehouse-h2-'));
  const config = join(dir, 'gatehouse.yaml');
  await writeFile(config, stringify({ _format_version: '3.0', services: [{ name: 'sink', url: `http://127.0.0.1:${sinkPort}`, http_version: '2', routes: [{ name: 'sink', paths: ['/'] }] }] }));
  let gateway: GatewayProcess | null = null;
  const client = { session: null as ReturnType<typeof connect> | null };
  try {
    gateway = await startGatewayProcess({ CONFIG: config, PROXY_H2C: 'true', ACCESS_LOG: 'false' });
    const pid = Number((await (await fetch(`${gateway.adminUrl}/status`)).json() as { pid?: number }).pid ?? NaN);
    const session = connect(gateway.proxyUrl);
    client.session = session;
    // Warm up: the first request loads code that would otherwise count as growth.
    await new Promise<void>((resolve, reject) => {
      const warm = session.request({ ':path': '/warm' });
      warm.on('data', () => undefined).on('end', resolve).on('error', reject);
    });
    const before = Number.isNaN(pid) ? null : rssMiB(pid);
    // Upload: 100 MiB written as fast as flow control lets it.
    const uploaded = await new Promise<Seen>((resolve, reject) => {
      const stream = session.request({ ':method': 'POST', ':path': '/upload' });
      let body = '';
      stream.setEncoding('utf8');
      stream.on('data', (text: string) => (body += text));
      stream.on('end', () => resolve(JSON.parse(body) as Seen));
      stream.on('error', reject);
      writeChunks(stream, Buffer.alloc(MIB, 3), TRANSFER_MIB);
    });
    assert.equal(uploaded.bytes, TRANSFER_MIB * MIB);
    const afterUpload = Number.isNaN(pid) ? null : rssMiB(pid);
    const downloaded = await new Promise<number>((resolve, reject) => {
      const stream = session.request({ ':path': `/download/${TRANSFER_MIB}` });
      let bytes = 0;
      stream.on('data', (chunk: Buffer) => (bytes += chunk.length));
      stream.on('end', () => resolve(bytes));
      stream.on('error', reject);
    });
    assert.equal(downloaded, TRANSFER_MIB * MIB);
    if (before !== null) {
      const growth = Math.max(afterUpload!, rssMiB(pid)) - before;
      assert.ok(growth < MAX_RSS_GROWTH_MIB, `the gateway's RSS grew by ${growth.toFixed(0)} MiB for ${TRANSFER_MIB} MiB each way`);
    } else assert.fail('the gateway process id is not known: /status has no pid');
  } finally {
    client.session?.close();
    await gateway?.stop();
    sink.close();
  }
});
