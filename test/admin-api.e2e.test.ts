/**
 * Black-box: the admin REST API in Redis mode on one in-process gateway with a private Redis —
 * Kong-style CRUD, nested paths, pagination, validation, If-Match, secrets, versions, rollback, diff.
 */
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { request } from 'undici';
import { adminClient, type AdminCall } from './helpers/admin.js';
import { eventually, startTestGateway, type TestGateway } from './helpers/gateway.js';
import { startTestRedis, type TestRedis } from '../support/redis.js';
import { startUpstream, type TestUpstream } from './helpers/upstream.js';

describe('admin API (Redis mode)', () => {
  let redis: TestRedis;
  let upstream: TestUpstream;
  let gw: TestGateway;
  let admin: AdminCall;

  before(async () => {
    redis = await startTestRedis();
    upstream = await startUpstream();
    const dir = await mkdtemp(join(tmpdir(), 'gatehouse-admin-'));
    gw = await startTestGateway(
      { _format_version: '3.0', services: [{ name: 'seed', url: upstream.url, routes: [{ name: 'seed-route', paths: ['/seed'] }] }] },
      { REDIS_URL: redis.url, SNAPSHOT: join(dir, 'snapshot.json') },
    );
    admin = adminClient(gw.adminUrl);
  });
  after(async () => {
    await gw.close();
    await upstream.close();
    await redis.close();
  });

  it('seeds an empty store from the file as version 1 and reports Redis on /status', async () => {
    const status = await admin('GET', '/status');
    assert.equal(status.body.config_store, 'redis');
    assert.equal(status.body.redis, 'connected');
    assert.ok(status.body.config_version >= 1);
    const versions = await admin('GET', '/config/versions');
    assert.equal(versions.body.data.at(-1).version, 1);
    assert.match(versions.body.data.at(-1).source, /^seed from /);
  });

  it('logs and ignores malformed and unknown messages on the config channel', async () => {
    const version = (await admin('GET', '/status')).body.config_version;
    const publisher = new Redis(redis.port, '127.0.0.1');
    await publisher.publish('gatehouse:config:events', 'not-a-version');
    await publisher.publish('gatehouse:config:events', '999999');
    publisher.disconnect();
    await eventually(() => gw.logs.find((l) => l.msg === 'ignored a malformed message on the config channel'), 'malformed message log');
    await eventually(() => gw.logs.find((l) => l.msg === 'ignored an unknown config version' && l.config_version === 999999), 'unknown version log');
    assert.equal((await admin('GET', '/status')).body.config_version, version);
  });

  it('never switches to a stored version that fails validation, and the next write replaces it', async () => {
    const version = (await admin('GET', '/status')).body.config_version;
    const client = new Redis(redis.port, '127.0.0.1');
    await client.set(`gatehouse:{config}:v:${version + 1}`, JSON.stringify({ _format_version: '3.0', services: [{ name: 'bad name', host: 'x' }] }));
    await client.set('gatehouse:{config}:current', String(version + 1));
    await client.publish('gatehouse:config:events', String(version + 1));
    client.disconnect();
    await eventually(() => gw.logs.find((l) => l.msg.startsWith('config version rejected') && l.config_version === version + 1), 'rejection log');
    assert.equal((await admin('GET', '/status')).body.config_version, version);
    assert.equal((await request(`${gw.url}/seed`)).statusCode, 200);
    const write = await admin('POST', '/upstreams', { name: 'after-bad-version' });
    assert.equal(write.status, 201);
    assert.equal(write.version, version + 2);
  });

  it('creates a service and a nested route, each as a new live version', async () => {
    const created = await admin('POST', '/services', { name: 'orders', url: `${upstream.url}/v1` });
    assert.equal(created.status, 201);
    assert.equal(created.body.host, '127.0.0.1');
    assert.equal(created.body.path, '/v1');
    const route = await admin('POST', '/services/orders/routes', { name: 'orders-api', paths: ['/orders'] });
    assert.equal(route.status, 201);
    assert.equal(route.version, created.version + 1);
    assert.deepEqual(route.body.service, { id: created.body.id });

    const proxied = await request(`${gw.url}/orders/7`);
    assert.equal(proxied.statusCode, 200);
    assert.equal(((await proxied.body.json()) as { url: string }).url, '/v1/7');

    const byId = await admin('GET', `/services/${created.body.id}`);
    assert.equal(byId.body.name, 'orders');
    const nested = await admin('GET', '/services/orders/routes');
    assert.deepEqual(nested.body.data.map((r: { name: string }) => r.name), ['orders-api']);
  });

  it('rejects a bad write with every field error and changes nothing', async () => {
    const before = await admin('GET', '/config');
    const bad = await admin('POST', '/services', { name: 'bad name', port: 70000, host: 'x', colour: 'red' });
    assert.equal(bad.status, 400);
    assert.equal(typeof bad.body.message, 'string');
    assert.deepEqual(Object.keys(bad.body.fields).sort(), ['colour', 'name', 'port']);
    assert.equal(bad.body.fields.colour, 'unknown field');
    const route = await admin('POST', '/routes', { name: 'dangling', paths: ['/x'], service: 'nope' });
    assert.equal(route.status, 400);
    assert.equal(route.body.fields.service, 'no service named "nope"');
    const afterwards = await admin('GET', '/config');
    assert.equal(afterwards.version, before.version);
    assert.deepEqual(afterwards.body, before.body);
  });

  it('updates with PATCH (url replaces its parts), upserts with PUT, and deletes with the plugins scoped to it', async () => {
    const patched = await admin('PATCH', '/services/orders', { retries: 1, url: `${upstream.url}/v2` });
    assert.equal(patched.status, 200);
    assert.equal(patched.body.retries, 1);
    assert.equal(patched.body.path, '/v2');
    const put = await admin('PUT', '/services/billing', { url: upstream.url });
    assert.equal(put.status, 200);
    assert.equal(put.body.name, 'billing');
    const plugin = await admin('POST', '/services/billing/plugins', { name: 'correlation-id', config: { header_name: 'X-Billing-Id' } });
    assert.equal(plugin.status, 201);
    assert.equal(plugin.body.config.generator, 'uuid#counter');
    assert.equal((await admin('GET', '/services/billing/plugins')).body.data.length, 1);
    const deleted = await admin('DELETE', '/services/billing');
    assert.equal(deleted.status, 204);
    assert.equal((await admin('GET', '/services/billing')).status, 404);
    assert.equal((await admin('GET', `/plugins/${plugin.body.id}`)).status, 404);
  });

  it('pages lists with size and offset as Kong does', async () => {
    for (const name of ['p1', 'p2', 'p3']) assert.equal((await admin('POST', '/consumers', { username: name })).status, 201);
    const first = await admin('GET', '/consumers?size=2');
    assert.equal(first.body.data.length, 2);
    assert.equal(typeof first.body.offset, 'string');
    const second = await admin('GET', first.body.next);
    assert.equal(second.body.next, null);
    const names = [...first.body.data, ...second.body.data].map((c: { username: string }) => c.username);
    assert.deepEqual(names, ['p1', 'p2', 'p3']);
    assert.equal((await admin('GET', '/consumers?size=0')).status, 400);
  });

  it('stores credentials hashed and never returns their secrets', async () => {
    await admin('POST', '/consumers', { username: 'alice' });
    const key = await admin('POST', '/consumers/alice/key-auth', { key: 'alice-secret-key' });
    assert.equal(key.status, 201);
    assert.equal(key.body.key, undefined);
    const basic = await admin('POST', '/consumers/alice/basic-auth', { username: 'alice', password: 'pa55word' });
    assert.equal(basic.body.password, undefined);
    const jwt = await admin('POST', '/consumers/alice/jwt', { key: 'issuer-a', secret: 'hmac-secret' });
    assert.equal(jwt.body.secret, undefined);
    const acl = await admin('POST', '/consumers/alice/acls', { group: 'admins' });
    assert.deepEqual(acl.body.consumer, { id: key.body.consumer.id });
    const consumer = await admin('GET', '/consumers/alice');
    assert.equal(consumer.body.keyauth_credentials, undefined);
    const listed = JSON.stringify((await admin('GET', '/consumers/alice/key-auth')).body);
    assert.ok(!listed.includes('alice-secret-key'));

    const config = (await admin('GET', '/config')).body;
    const alice = config.consumers.find((c: { username: string }) => c.username === 'alice');
    assert.match(alice.keyauth_credentials[0].key, /^sha256:[0-9a-f]{64}$/);
    assert.match(alice.basicauth_credentials[0].password, /^scrypt:/);
    const duplicate = await admin('POST', '/consumers/p1/key-auth', { key: 'alice-secret-key' });
    assert.equal(duplicate.status, 400, 'a plaintext key equal to a stored hash is a duplicate');
  });

  it('answers 409 when If-Match is not the current version, and writes when it is', async () => {
    const current = (await admin('GET', '/status')).body.config_version;
    const stale = await admin('PATCH', '/services/orders', { retries: 3 }, { 'if-match': String(current - 1) });
    assert.equal(stale.status, 409);
    assert.equal(stale.version, current);
    const fresh = await admin('PATCH', '/services/orders', { retries: 3 }, { 'if-match': `"${current}"` });
    assert.equal(fresh.status, 200);
    assert.equal(fresh.version, current + 1);
  });

  it('replaces the whole config with POST /config, diffs it, and rolls back', async () => {
    const before = (await admin('GET', '/status')).body.config_version;
    const document = { _format_version: '3.0', services: [{ name: 'only', url: upstream.url, routes: [{ name: 'only', paths: ['/only'] }] }] };
    const diff = await admin('POST', '/config/diff', document);
    assert.equal(diff.status, 200);
    assert.deepEqual(diff.body.created, [
      { kind: 'service', name: 'only' },
      { kind: 'route', name: 'only' },
    ]);
    assert.ok(diff.body.deleted.some((e: { kind: string; name: string }) => e.kind === 'service' && e.name === 'orders'));

    const replaced = await admin('POST', '/config', document, { 'if-match': String(before) });
    assert.equal(replaced.status, 201);
    assert.equal(replaced.body.config_version, before + 1);
    assert.equal((await request(`${gw.url}/orders`)).statusCode, 404);
    assert.equal((await request(`${gw.url}/only`)).statusCode, 200);
    assert.deepEqual((await admin('POST', '/config/diff', document)).body.updated, []);

    const changes = await admin('GET', `/config/diff?from=${before}&to=${before + 1}`);
    assert.ok(changes.body.created.some((e: { name: string }) => e.name === 'only'));

    const rollback = await admin('POST', `/config/rollback/${before}`);
    assert.equal(rollback.status, 201);
    assert.equal(rollback.body.config_version, before + 2);
    assert.equal((await request(`${gw.url}/orders`)).statusCode, 200);
    assert.equal((await request(`${gw.url}/only`)).statusCode, 404);
    assert.equal((await admin('POST', '/config/rollback/99999')).status, 404);
  });
});
