/**
 * Black-box: probes and scrapes without the admin secret (issue 14, item 4) — with
 * GATEHOUSE_ADMIN_TOKEN set, `/status`, `/status/ready` and `/metrics` answer without
 * `Authorization` on the admin listener while every other admin path still needs it; and Kong's
 * status listener (GATEHOUSE_STATUS_LISTEN) serves those three paths only, on any address, and
 * closes with the gateway.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Agent, request } from 'undici';
import { startTestGateway, type TestGateway } from './helpers/gateway.js';
import { rawRequest, tryConnect } from './helpers/raw-http.js';
import { startUpstream, type TestUpstream } from './helpers/upstream.js';

const TOKEN = 'a-long-enough-admin-token';
const PROBE_PATHS = ['/status', '/status/ready', '/metrics'];

async function get(url: string, headers: Record<string, string> = {}, method: 'GET' | 'POST' = 'GET') {
  const res = await request(url, { method, headers });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, text };
}

describe('probes and scrapes without the admin token', () => {
  let upstream: TestUpstream;
  let gw: TestGateway;

  before(async () => {
    upstream = await startUpstream();
    gw = await startTestGateway(
      { _format_version: '3.0', services: [{ name: 'app', url: upstream.url, routes: [{ name: 'all', paths: ['/app'] }] }] },
      { ADMIN_TOKEN: TOKEN, STATUS_LISTEN: '127.0.0.1:0' },
    );
  });
  after(async () => {
    await gw.close();
    await upstream.close();
  });

  it('answers /status, /status/ready and /metrics on the admin listener without Authorization', async () => {
    const status = await get(`${gw.adminUrl}/status`);
    assert.equal(status.status, 200);
    assert.equal(JSON.parse(status.text).config_version, 1);
    const ready = await get(`${gw.adminUrl}/status/ready`);
    assert.equal(ready.status, 200);
    assert.deepEqual(JSON.parse(ready.text), { ready: true, draining: false, config_version: 1 });
    const metrics = await get(`${gw.adminUrl}/metrics`);
    assert.equal(metrics.status, 200);
    assert.match(metrics.text, /^gatehouse_config_version 1$/m);
    // Fastify's automatic HEAD routes carry the same exemption.
    for (const path of PROBE_PATHS) assert.equal((await request(`${gw.adminUrl}${path}`, { method: 'HEAD' })).statusCode, 200, `HEAD ${path}`);
  });

  it('still answers 401 on every other admin path, whatever the spelling of the path', async () => {
    for (const path of ['/services', '/config', '/config/versions', '/openapi.json', '/schemas/plugins/cors', '/nope', '/status/', '/STATUS', '/status/../services', '/metrics/x']) {
      const res = await get(`${gw.adminUrl}${path}`);
      assert.equal(res.status, 401, path);
      assert.equal(JSON.parse(res.text).message, 'Unauthorized', path);
    }
    // Only GET is the probe: another method on the same path is an admin request.
    assert.equal((await get(`${gw.adminUrl}/status`, {}, 'POST')).status, 401);
    assert.equal((await get(`${gw.adminUrl}/services`, { authorization: `Bearer ${TOKEN}` })).status, 200);
  });

  it('serves the same three paths on the status listener, without a token', async () => {
    assert.ok(gw.gateway.statusUrl, 'statusUrl is set when STATUS_LISTEN is');
    for (const path of PROBE_PATHS) {
      const onStatus = await get(`${gw.gateway.statusUrl}${path}`);
      const onAdmin = await get(`${gw.adminUrl}${path}`);
      assert.equal(onStatus.status, 200, path);
      assert.equal(onStatus.headers['content-type'], onAdmin.headers['content-type'], path);
    }
    const doc = JSON.parse((await get(`${gw.gateway.statusUrl}/status`)).text);
    assert.equal(doc.status, 'ok');
    assert.equal(doc.config_version, 1);
    assert.equal(doc.routes, 1);
  });

  it('answers 404 {message} on the status listener for the admin API and anything else, token or not', async () => {
    for (const path of ['/services', '/config', '/openapi.json', '/', '/status/', '/nope']) {
      for (const headers of [{}, { authorization: `Bearer ${TOKEN}` }] as Record<string, string>[]) {
        const res = await get(`${gw.gateway.statusUrl}${path}`, headers);
        assert.equal(res.status, 404, path);
        assert.deepEqual(JSON.parse(res.text), { message: 'Not found' }, path);
      }
    }
    const post = await get(`${gw.gateway.statusUrl}/status`, {}, 'POST');
    assert.equal(post.status, 404);
    const badUrl = await get(`${gw.gateway.statusUrl}/status/%zz`);
    assert.equal(badUrl.status, 400);
    assert.deepEqual(Object.keys(JSON.parse(badUrl.text)), ['message']);
    const malformed = await rawRequest(gw.gateway.statusUrl!, 'GET /status HTTP/1.1\r\nHost: x\r\nbad header line\r\n\r\n');
    assert.equal(malformed.status, 400);
    assert.deepEqual(Object.keys(JSON.parse(malformed.body)), ['message']);
  });

  it('is off unless GATEHOUSE_STATUS_LISTEN is set', async () => {
    const plain = await startTestGateway({ _format_version: '3.0' });
    try {
      assert.equal(plain.gateway.statusUrl, null);
    } finally {
      await plain.close();
    }
  });

  it('binds a non-loopback address without an admin token, and closes with the gateway even with a connection open', async () => {
    const open = await startTestGateway({ _format_version: '3.0' }, { STATUS_LISTEN: '0.0.0.0:0' });
    const keepAlive = new Agent({ keepAliveTimeout: 60_000 });
    let closed = false;
    try {
      const statusUrl = open.gateway.statusUrl!;
      const res = await request(`${statusUrl}/status/ready`, { dispatcher: keepAlive });
      assert.equal(res.statusCode, 200);
      await res.body.dump();
      await open.close();
      closed = true;
      assert.equal(await tryConnect(statusUrl), 'ECONNREFUSED');
    } finally {
      if (!closed) await open.close();
      await keepAlive.close();
    }
  });
});
