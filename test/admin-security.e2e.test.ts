/**
 * Black-box: admin API security and file mode — bearer token, refusal of a public bind without a
 * token, no admin route through the proxy port, read-only admin API (405) when config is a file,
 * the OpenAPI document and plugin schemas.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { adminClient } from './helpers/admin.js';
import { startTestGateway, type TestGateway } from './helpers/gateway.js';
import { startUpstream, type TestUpstream } from './helpers/upstream.js';

const TOKEN = 'a-long-enough-admin-token';

describe('admin security and file mode', () => {
  let upstream: TestUpstream;
  let gw: TestGateway;

  before(async () => {
    upstream = await startUpstream();
    gw = await startTestGateway(
      { _format_version: '3.0', services: [{ name: 'app', url: upstream.url, routes: [{ name: 'all', paths: ['/'] }] }] },
      { ADMIN_TOKEN: TOKEN },
    );
  });
  after(async () => {
    await gw.close();
    await upstream.close();
  });

  it('answers 401 without the bearer token or with a wrong one', async () => {
    for (const token of [undefined, 'wrong-token-of-some-length']) {
      const res = await adminClient(gw.adminUrl, token)('GET', '/services');
      assert.equal(res.status, 401);
      assert.equal(res.body.error, 'unauthorized');
    }
    const basic = await request(`${gw.adminUrl}/services`, { headers: { authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}` } });
    assert.equal(basic.statusCode, 401);
    await basic.body.dump();
    assert.equal((await adminClient(gw.adminUrl, TOKEN)('GET', '/services')).status, 200);
  });

  it('never serves the admin API on the proxy port', async () => {
    for (const path of ['/services', '/config', '/status', '/openapi.json']) {
      const res = await request(`${gw.url}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
      const body = (await res.body.json()) as { url?: string; data?: unknown };
      assert.equal(res.headers['x-upstream'], 'echo', `${path} went to the upstream`);
      assert.equal(body.data, undefined);
    }
  });

  it('reads in file mode and refuses writes with 405 and a clear message', async () => {
    const admin = adminClient(gw.adminUrl, TOKEN);
    assert.equal((await admin('GET', '/services/app')).body.name, 'app');
    assert.equal((await admin('GET', '/config/versions')).body.data[0].source, 'file');
    for (const [method, path, body] of [
      ['POST', '/services', { name: 'x', host: 'x' }],
      ['PATCH', '/services/app', { retries: 1 }],
      ['DELETE', '/services/app', undefined],
      ['POST', '/config', { _format_version: '3.0' }],
      ['POST', '/config/rollback/1', undefined],
    ] as const) {
      const res = await admin(method, path, body);
      assert.equal(res.status, 405, `${method} ${path}`);
      assert.match(res.body.message, /file mode/);
    }
    const diff = await admin('POST', '/config/diff', { _format_version: '3.0' });
    assert.deepEqual(diff.body.deleted, [
      { kind: 'service', name: 'app' },
      { kind: 'route', name: 'all' },
    ]);
  });

  it('describes itself in /openapi.json and serves plugin schemas with descriptions', async () => {
    const admin = adminClient(gw.adminUrl, TOKEN);
    const doc = (await admin('GET', '/openapi.json')).body;
    assert.equal(doc.openapi, '3.1.0');
    for (const path of ['/services/{key}', '/consumers/{parent}/key-auth', '/upstreams/{parent}/targets/{key}', '/config/rollback/{version}']) {
      assert.ok(doc.paths[path], path);
    }
    assert.equal(doc.components.schemas.Service.properties.retries.default, 5);
    assert.match(doc.components.schemas.Route.properties.paths.description, /regex/);
    const schema = await admin('GET', '/schemas/plugins/correlation-id');
    assert.equal(schema.status, 200);
    assert.equal(schema.body.schema.properties.header_name.default, 'Kong-Request-ID');
    assert.ok(schema.body.schema.properties.header_name.description);
    assert.equal((await admin('GET', '/schemas/plugins/nope')).status, 404);
  });

  it('refuses to start with a public admin bind and no token', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts', 'start'], {
      env: { ...process.env, GATEHOUSE_ADMIN_LISTEN: '0.0.0.0:0', GATEHOUSE_ADMIN_TOKEN: '', GATEHOUSE_PROXY_LISTEN: '127.0.0.1:0' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.equal(result.status, 1);
    assert.match(result.stderr, /GATEHOUSE_ADMIN_LISTEN: binding the admin API to 0\.0\.0\.0 needs GATEHOUSE_ADMIN_TOKEN/);
  });
});
