/**
 * Black-box: the admin API with real clients (issue 14, item 5), through curl as users run it — a
 * write with `Content-Type: application/json` and an empty body is no body (a bodyless action just
 * runs) or `{}` (a write that needs fields gets the usual validation answer), as Kong's admin API;
 * and every error, Fastify's own included (bad JSON, wrong content type, body too large, bad URL,
 * malformed request), answers `{message}` (plus `fields`) with its 4xx status and changes nothing.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { adminClient, type AdminCall } from './helpers/admin.js';
import { startTestGateway, type TestGateway } from './helpers/gateway.js';
import { rawRequest } from './helpers/raw-http.js';
import { startTestRedis, type TestRedis } from '../support/redis.js';

const TOKEN = 'a-long-enough-admin-token';
const JSON_TYPE = 'content-type: application/json';
const run = promisify(execFile);

interface CurlAnswer {
  status: number;
  body: any;
}

/** `curl -X METHOD` with the admin token and `headers`, plus `extra` arguments (a body, if any). */
async function curl(method: string, url: string, headers: string[], ...extra: string[]): Promise<CurlAnswer> {
  const args = ['-sS', '-X', method, '-H', `authorization: Bearer ${TOKEN}`, ...headers.flatMap((h) => ['-H', h]), '-w', '\n%{http_code}', ...extra, url];
  const { stdout } = await run('curl', args);
  const cut = stdout.lastIndexOf('\n');
  const text = stdout.slice(0, cut);
  return { status: Number(stdout.slice(cut + 1)), body: text ? JSON.parse(text) : null };
}

/** The contract's admin error shape: a message, and field errors only where there are some. */
function assertAdminError(body: unknown, what: string): asserts body is { message: string; fields?: Record<string, string> } {
  assert.ok(body && typeof body === 'object', `${what}: a JSON object`);
  const keys = Object.keys(body).sort();
  assert.ok(keys.join() === 'message' || keys.join() === 'fields,message', `${what}: keys ${keys.join()}`);
  assert.equal(typeof (body as { message: unknown }).message, 'string', what);
}

describe('admin API with real clients: empty bodies and error shapes', () => {
  let redis: TestRedis;
  let gw: TestGateway;
  let admin: AdminCall;

  before(async () => {
    redis = await startTestRedis();
    const dir = await mkdtemp(join(tmpdir(), 'gatehouse-admin-bodies-'));
    gw = await startTestGateway(
      { _format_version: '3.0', services: [{ name: 'seed', url: 'http://127.0.0.1:9', routes: [{ name: 'seed-route', paths: ['/seed'] }] }] },
      { REDIS_URL: redis.url, SNAPSHOT: join(dir, 'snapshot.json'), ADMIN_TOKEN: TOKEN },
    );
    admin = adminClient(gw.adminUrl, TOKEN);
  });
  after(async () => {
    await gw.close();
    await redis.close();
  });

  const version = async () => (await admin('GET', '/status')).body.config_version as number;

  it('runs a bodyless action sent with Content-Type: application/json and no body', async () => {
    assert.equal((await admin('POST', '/upstreams', { name: 'extra' })).status, 201);
    const before = await version();
    const rollback = await curl('POST', `${gw.adminUrl}/config/rollback/1`, [JSON_TYPE]);
    assert.equal(rollback.status, 201, JSON.stringify(rollback.body));
    assert.deepEqual(rollback.body, { config_version: before + 1, rolled_back_to: 1 });
    assert.equal((await admin('GET', '/upstreams/extra')).status, 404);

    assert.equal((await admin('POST', '/upstreams', { name: 'doomed' })).status, 201);
    const deleted = await curl('DELETE', `${gw.adminUrl}/upstreams/doomed`, [JSON_TYPE]);
    assert.equal(deleted.status, 204);
    assert.equal((await admin('GET', '/upstreams/doomed')).status, 404);

    // The YAML parser takes an empty body the same way.
    const yamlRollback = await curl('POST', `${gw.adminUrl}/config/rollback/1`, ['content-type: application/yaml']);
    assert.equal(yamlRollback.status, 201, JSON.stringify(yamlRollback.body));
  });

  it('takes an empty JSON body as {} where a write reads fields', async () => {
    const patched = await curl('PATCH', `${gw.adminUrl}/services/seed`, [JSON_TYPE]);
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    assert.equal(patched.body.name, 'seed');
    assert.equal(patched.body.port, 9);

    // PUT to a name creates the entity it names, with no other field needed.
    const put = await curl('PUT', `${gw.adminUrl}/consumers/bob`, [JSON_TYPE]);
    assert.equal(put.status, 200, JSON.stringify(put.body));
    assert.equal(put.body.username, 'bob');
    assert.equal((await admin('GET', '/consumers/bob')).body.username, 'bob');
    // A request with no body at all, as `curl -X PUT URL` sends it, is read the same way.
    const bare = await curl('PUT', `${gw.adminUrl}/consumers/carol`, []);
    assert.equal(bare.status, 200, JSON.stringify(bare.body));
    assert.equal(bare.body.username, 'carol');

    const before = await version();
    const created = await curl('POST', `${gw.adminUrl}/consumers`, [JSON_TYPE]);
    assert.equal(created.status, 400);
    assertAdminError(created.body, 'POST /consumers {}');
    assert.match(created.body.fields!['@entity']!, /custom_id.*username/);

    const config = await curl('POST', `${gw.adminUrl}/config`, [JSON_TYPE]);
    assert.equal(config.status, 400);
    assertAdminError(config.body, 'POST /config {}');
    assert.deepEqual(config.body.fields, { _format_version: 'required field missing' });
    assert.equal(await version(), before, 'a rejected write changes nothing');
  });

  it("answers Fastify's body errors as {message} with their 4xx status, changing nothing", async () => {
    const before = await version();
    const cases: [string, string[], string[], number, RegExp][] = [
      ['bad JSON', [JSON_TYPE], ['--data', '{"_format_version": "3.0",'], 400, /^the request body is not valid JSON: /],
      ['prototype poisoning', [JSON_TYPE], ['--data', '{"_format_version": "3.0", "__proto__": {"x": 1}}'], 400, /__proto__/],
      ['wrong content type', ['content-type: application/xml'], ['--data', '<config/>'], 415, /^unsupported content type "application\/xml": send application\/json/],
      ['bad YAML', ['content-type: application/yaml'], ['--data', 'services: [unclosed'], 400, /^invalid YAML/],
    ];
    for (const [what, headers, body, status, message] of cases) {
      const res = await curl('POST', `${gw.adminUrl}/config`, headers, ...body);
      assert.equal(res.status, status, what);
      assertAdminError(res.body, what);
      assert.match(res.body.message, message, what);
    }
    assert.equal(await version(), before);
  });

  it('answers a body over the limit with 413 {message}', async () => {
    // The declared length is refused before any byte of the body is read.
    const res = await rawRequest(
      gw.adminUrl,
      `POST /config HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Type: application/json\r\nContent-Length: ${64 * 1024 * 1024 + 1}\r\n\r\n{`,
    );
    assert.equal(res.status, 413);
    const body = JSON.parse(res.body);
    assertAdminError(body, '413');
    assert.match(body.message, /larger than the admin API's limit of 67108864 bytes/);
  });

  it('answers errors raised before routing as {message}: bad URL, over-long parameter, oversized head, malformed request', async () => {
    const badUrl = await curl('GET', `${gw.adminUrl}/services/%zz`, []);
    assert.equal(badUrl.status, 400);
    assertAdminError(badUrl.body, 'bad URL');

    const longName = await curl('GET', `${gw.adminUrl}/services/${'a'.repeat(200)}`, []);
    assert.equal(longName.status, 414);
    assertAdminError(longName.body, 'long parameter');

    const bigHead = await curl('GET', `${gw.adminUrl}/services`, [`x-filler: ${'a'.repeat(20_000)}`]);
    assert.equal(bigHead.status, 431);
    assertAdminError(bigHead.body, 'oversized head');

    const malformed = await rawRequest(gw.adminUrl, 'GET /services HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n');
    assert.equal(malformed.status, 400);
    assertAdminError(JSON.parse(malformed.body), 'malformed request');
  });

  it('keeps the 401 of the token check in the contract shape', async () => {
    const { stdout } = await run('curl', ['-sS', '-w', '\n%{http_code}', `${gw.adminUrl}/services`]);
    const cut = stdout.lastIndexOf('\n');
    assert.equal(stdout.slice(cut + 1), '401');
    const body = JSON.parse(stdout.slice(0, cut));
    assert.equal(body.message, 'Unauthorized');
    assert.equal(body.statusCode, undefined);
  });
});
