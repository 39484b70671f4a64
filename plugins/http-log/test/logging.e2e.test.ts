/** Black-box: http-log and file-log deliver complete entries (bodies, truncation, redaction) and never hold up clients when the sink is down. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { eventually, eventuallyAsync, startTestGateway, type TestGateway } from '../../../test/helpers/gateway.js';
import { startSink, type TestSink } from '../../../test/helpers/sink.js';
import { startUpstream, type TestUpstream } from '../../../test/helpers/upstream.js';

const MAX_BODY = 64;

interface BodyFields {
  headers: Record<string, string>;
  body: string;
  body_encoding: string;
  body_truncated: boolean;
  body_length: number;
}
interface Entry {
  request_id: string;
  trace_id: string;
  method: string;
  path: string;
  route: string;
  service: string;
  upstream: string;
  status: number;
  latency_ms: { request: number; upstream: number; proxy: number };
  bytes_in: number;
  bytes_out: number;
  client_ip: string;
  request: BodyFields;
  response: BodyFields;
}

describe('http-log and file-log', () => {
  let upstream: TestUpstream;
  let sink: TestSink;
  let gw: TestGateway;
  let logPath: string;

  const entryFor = (requestId: string) =>
    eventually(
      () => sink.received.map((r) => JSON.parse(r.body.toString()) as Entry).find((e) => e.request_id === requestId),
      `sink entry for ${requestId}`,
    );

  before(async () => {
    // Answers with the request body and its content type, plus a cookie that must be redacted.
    upstream = await startUpstream((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        res.writeHead(200, { 'content-type': req.headers['content-type'] ?? 'application/octet-stream', 'set-cookie': 'session=secret' });
        res.end(Buffer.concat(chunks));
      });
    });
    sink = await startSink();
    logPath = join(await mkdtemp(join(tmpdir(), 'gatehouse-file-log-')), 'access.log');
    const fast = { max_batch_size: 1, max_coalescing_delay: 0.01 };
    gw = await startTestGateway({
      _format_version: '3.0',
      services: [
        {
          name: 'bodies',
          url: upstream.url,
          routes: [{ name: 'bodies', paths: ['/bodies'] }],
          plugins: [{ name: 'http-log', config: { http_endpoint: `${sink.url}/logs`, log_bodies: true, max_body_bytes: MAX_BODY, redact_headers: ['X-Secret'], queue: fast } }],
        },
        {
          name: 'filed',
          url: upstream.url,
          routes: [{ name: 'filed', paths: ['/filed'] }],
          plugins: [{ name: 'file-log', config: { path: logPath, log_bodies: true } }],
        },
        {
          name: 'fragile',
          url: upstream.url,
          routes: [{ name: 'fragile', paths: ['/fragile'] }],
          plugins: [
            {
              name: 'http-log',
              config: { http_endpoint: `${sink.url}/logs`, queue: { ...fast, max_entries: 2, max_retry_time: 0.2, initial_retry_delay: 0.02 } },
            },
          ],
        },
      ],
    });
  });
  after(async () => {
    await gw.close();
    await upstream.close();
    await sink.close();
  });

  it('sends the contract fields with a whole JSON request body and a cut response body, credentials redacted', async () => {
    const json = JSON.stringify({ order: 42, item: 'book' });
    const long = JSON.stringify({ padding: 'x'.repeat(200) });
    const res = await request(`${gw.url}/bodies/orders`, {
      method: 'POST',
      body: json,
      headers: { 'content-type': 'application/json', authorization: 'Bearer top-secret', 'x-secret': 'hidden', 'x-visible': 'yes' },
    });
    await res.body.dump();
    const id = res.headers['x-request-id'] as string;
    const entry = await entryFor(id);

    assert.equal(entry.method, 'POST');
    assert.equal(entry.path, '/bodies/orders');
    assert.equal(entry.route, 'bodies');
    assert.equal(entry.service, 'bodies');
    assert.equal(entry.status, 200);
    assert.equal(entry.upstream, `127.0.0.1:${upstream.port}`);
    assert.equal(entry.bytes_in, json.length);
    assert.equal(entry.client_ip, '127.0.0.1');
    assert.match(entry.trace_id, /^[0-9a-f]{32}$/);
    assert.equal(typeof entry.latency_ms.request, 'number');

    assert.deepEqual(
      { body: entry.request.body, body_encoding: entry.request.body_encoding, body_truncated: entry.request.body_truncated, body_length: entry.request.body_length },
      { body: json, body_encoding: 'utf8', body_truncated: false, body_length: json.length },
    );
    assert.equal(entry.request.headers.authorization, '[redacted]');
    assert.equal(entry.request.headers['x-secret'], '[redacted]');
    assert.equal(entry.request.headers['x-visible'], 'yes');
    assert.equal(entry.response.headers['set-cookie'], '[redacted]');
    assert.doesNotMatch(JSON.stringify(entry), /top-secret|hidden|session=secret/);

    const cut = await request(`${gw.url}/bodies/long`, { method: 'POST', body: long, headers: { 'content-type': 'application/json' } });
    await cut.body.dump();
    const cutEntry = await entryFor(cut.headers['x-request-id'] as string);
    assert.equal(cutEntry.response.body, long.slice(0, MAX_BODY));
    assert.equal(cutEntry.response.body_truncated, true);
    assert.equal(cutEntry.response.body_length, long.length);
    assert.equal(sink.received[0]!.headers['content-type'], 'application/json');
  });

  it('logs a binary body as base64, whole under the limit and cut with its full length above it', async () => {
    const small = randomBytes(MAX_BODY);
    const big = randomBytes(MAX_BODY * 3);
    for (const body of [small, big]) {
      const res = await request(`${gw.url}/bodies/bin`, { method: 'PUT', body, headers: { 'content-type': 'application/octet-stream' } });
      assert.deepEqual(Buffer.from(await res.body.arrayBuffer()), body);
      const entry = await entryFor(res.headers['x-request-id'] as string);
      for (const side of [entry.request, entry.response]) {
        assert.equal(side.body_encoding, 'base64');
        assert.equal(side.body, body.subarray(0, MAX_BODY).toString('base64'));
        assert.equal(side.body_truncated, body.length > MAX_BODY);
        assert.equal(side.body_length, body.length);
      }
    }
  });

  it('file-log appends one JSON line per request', async () => {
    const ids: string[] = [];
    for (const n of [1, 2]) {
      const res = await request(`${gw.url}/filed/${n}`, { method: 'POST', body: `{"n":${n}}`, headers: { 'content-type': 'application/json' } });
      await res.body.dump();
      ids.push(res.headers['x-request-id'] as string);
    }
    const entries = await eventuallyAsync(async () => {
      const text = await readFile(logPath, 'utf8').catch(() => '');
      const parsed = text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Entry);
      return parsed.length === 2 ? parsed : undefined;
    });
    assert.deepEqual(entries.map((e) => e.request_id), ids);
    assert.equal(entries[1]!.route, 'filed');
    assert.equal(entries[1]!.request.body, '{"n":2}');
  });

  it('keeps answering when the sink is down, and counts the dropped entries', async () => {
    await sink.close();
    for (let i = 0; i < 10; i++) {
      const res = await request(`${gw.url}/fragile/${i}`);
      assert.equal(res.statusCode, 200);
      await res.body.dump();
    }
    const dropped = await eventuallyAsync(async () => {
      const text = await (await request(`${gw.adminUrl}/metrics`)).body.text();
      const line = text.split('\n').find((l) => l.startsWith('gatehouse_log_entries_dropped_total{plugin="http-log"}'));
      return line && Number(line.split(' ')[1]) === 10 ? 10 : undefined;
    });
    assert.equal(dropped, 10);
    assert.ok(gw.logs.some((line) => line.msg === 'log queue full; dropping entries'));
  });
});
