/** Black-box: key-auth, basic-auth and acl through the real gateway, with plaintext and hashed credentials. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { hashKey, hashPassword } from '../../../src/plugin-kit/index.js';
import { eventually, startTestGateway, type TestGateway } from '../../../test/helpers/gateway.js';
import { startUpstream, type TestUpstream } from '../../../test/helpers/upstream.js';

const ALICE_KEY = 'alice-key-0123456789';
const BOB_KEY = 'bob-key-0123456789';
const ALICE_PASS = 'alice-pass-plain';
const BOB_PASS = 'bob-pass-hashed';
const SECRETS = [ALICE_KEY, BOB_KEY, ALICE_PASS, BOB_PASS];

interface Echo {
  url: string;
  headers: Record<string, string | undefined>;
}

function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

describe('key-auth, basic-auth and acl', () => {
  let upstream: TestUpstream;
  let gw: TestGateway;

  const route = (name: string, plugins: Array<{ name: string; config?: Record<string, unknown> }>) => ({ name, paths: [`/${name}`], plugins });

  before(async () => {
    upstream = await startUpstream();
    gw = await startTestGateway({
      _format_version: '3.0',
      consumers: [
        {
          username: 'alice',
          custom_id: 'alice-custom',
          keyauth_credentials: [{ key: ALICE_KEY }],
          basicauth_credentials: [{ username: 'alice', password: ALICE_PASS }],
          acls: [{ group: 'gold' }],
        },
        {
          username: 'bob',
          // What the Redis store holds: the key and the password hashed at rest.
          keyauth_credentials: [{ key: hashKey(BOB_KEY) }],
          basicauth_credentials: [{ username: 'bob', password: hashPassword(BOB_PASS) }],
          acls: [{ group: 'silver' }],
        },
        { username: 'anon', acls: [{ group: 'blocked' }] },
      ],
      services: [
        {
          name: 'echo',
          url: upstream.url,
          routes: [
            route('key', [{ name: 'key-auth' }]),
            route('key-hide', [{ name: 'key-auth', config: { key_names: ['apikey', 'x-api-key'], hide_credentials: true } }]),
            route('key-anon', [{ name: 'key-auth', config: { anonymous: 'anon' } }]),
            route('key-missing-anon', [{ name: 'key-auth', config: { anonymous: 'nobody' } }]),
            route('key-header-only', [{ name: 'key-auth', config: { key_in_query: false } }]),
            route('key-preflight', [{ name: 'key-auth', config: { run_on_preflight: false } }]),
            route('basic', [{ name: 'basic-auth', config: { hide_credentials: true } }]),
            route('gold', [{ name: 'key-auth' }, { name: 'acl', config: { allow: ['gold'] } }]),
            route('no-silver', [{ name: 'basic-auth' }, { name: 'acl', config: { deny: ['silver'], hide_groups_header: true } }]),
            route('acl-only', [{ name: 'acl', config: { allow: ['gold'] } }]),
            route('either', [
              { name: 'key-auth', config: { anonymous: 'anon' } },
              { name: 'basic-auth', config: { anonymous: 'anon' } },
              { name: 'acl', config: { deny: ['blocked'] } },
            ]),
          ],
        },
      ],
    });
  });
  after(async () => {
    await gw.close();
    await upstream.close();
  });

  async function call(path: string, headers: Record<string, string> = {}, method: 'GET' | 'OPTIONS' = 'GET') {
    const res = await request(`${gw.url}${path}`, { headers, method });
    const text = await res.body.text();
    return { status: res.statusCode, headers: res.headers, text, json: () => JSON.parse(text) as Echo & { message: string; error: string; request_id: string } };
  }

  describe('key-auth', () => {
    it('accepts a plaintext key from a header and forwards the consumer, dropping forged copies', async () => {
      const res = await call('/key', { apikey: ALICE_KEY, 'x-consumer-username': 'mallory', 'x-anonymous-consumer': 'true' });
      assert.equal(res.status, 200);
      const { headers } = res.json();
      assert.equal(headers['x-consumer-username'], 'alice');
      assert.equal(headers['x-consumer-custom-id'], 'alice-custom');
      assert.match(headers['x-consumer-id']!, /^[0-9a-f-]{36}$/);
      assert.match(headers['x-credential-identifier']!, /^[0-9a-f-]{36}$/);
      assert.equal(headers['x-anonymous-consumer'], undefined);
      assert.equal(headers.apikey, ALICE_KEY);
    });

    it('accepts a key stored hashed, from the query', async () => {
      const res = await call(`/key?apikey=${encodeURIComponent(BOB_KEY)}&x=1`);
      assert.equal(res.status, 200);
      const echo = res.json();
      assert.equal(echo.headers['x-consumer-username'], 'bob');
      assert.equal(echo.headers['x-consumer-custom-id'], undefined);
      assert.equal(echo.url, `/?apikey=${encodeURIComponent(BOB_KEY)}&x=1`);
    });

    it('never accepts the stored digest itself as a key', async () => {
      const res = await call('/key', { apikey: hashKey(BOB_KEY) });
      assert.equal(res.status, 401);
    });

    it('answers 401 with the contract body and a Key challenge', async () => {
      const missing = await call('/key');
      assert.equal(missing.status, 401);
      assert.equal(missing.headers['www-authenticate'], 'Key realm="gatehouse"');
      const body = missing.json();
      assert.equal(body.message, 'No API key found in request');
      assert.equal(body.error, 'unauthorized');
      assert.equal(body.request_id, missing.headers['x-request-id']);

      const wrong = await call('/key', { apikey: 'nope' });
      assert.equal(wrong.status, 401);
      assert.equal(wrong.json().message, 'Invalid authentication credentials');
      assert.equal(wrong.headers['www-authenticate'], 'Key realm="gatehouse"');
    });

    it('hides the credential from the upstream with hide_credentials (header and query)', async () => {
      const fromHeader = await call('/key-hide?keep=1', { 'x-api-key': ALICE_KEY });
      assert.equal(fromHeader.status, 200);
      assert.equal(fromHeader.json().headers['x-api-key'], undefined);

      const fromQuery = await call(`/key-hide?a=1&apikey=${BOB_KEY}&b=2`);
      assert.equal(fromQuery.status, 200);
      assert.equal(fromQuery.json().url, '/?a=1&b=2');
    });

    it('ignores the query when key_in_query is false', async () => {
      assert.equal((await call(`/key-header-only?apikey=${ALICE_KEY}`)).status, 401);
      assert.equal((await call('/key-header-only', { apikey: ALICE_KEY })).status, 200);
    });

    it('falls back to the anonymous consumer, marked as such, and 500s when it does not exist', async () => {
      const anon = await call('/key-anon', { apikey: 'wrong' });
      assert.equal(anon.status, 200);
      assert.equal(anon.json().headers['x-consumer-username'], 'anon');
      assert.equal(anon.json().headers['x-anonymous-consumer'], 'true');
      assert.equal(anon.json().headers['x-credential-identifier'], undefined);

      const missing = await call('/key-missing-anon');
      assert.equal(missing.status, 500);
    });

    it('lets preflights through without a consumer when run_on_preflight is false, stripping forged consumer headers', async () => {
      const res = await call('/key-preflight', { 'x-consumer-id': 'forged', 'x-consumer-username': 'forged' }, 'OPTIONS');
      assert.equal(res.status, 200);
      assert.equal(res.json().headers['x-consumer-id'], undefined);
      assert.equal(res.json().headers['x-consumer-username'], undefined);
      assert.equal((await call('/key-preflight', {}, 'GET')).status, 401);
    });
  });

  describe('basic-auth', () => {
    it('accepts plaintext and scrypt-hashed passwords, and hides the Authorization header', async () => {
      for (const [user, password] of [['alice', ALICE_PASS], ['bob', BOB_PASS], ['bob', BOB_PASS]] as const) {
        const res = await call('/basic', { authorization: basic(user, password) });
        assert.equal(res.status, 200, user);
        assert.equal(res.json().headers['x-consumer-username'], user);
        assert.equal(res.json().headers['x-credential-identifier'], user);
        assert.equal(res.json().headers.authorization, undefined);
      }
    });

    it('answers 401 with a Basic challenge for missing, malformed and wrong credentials', async () => {
      for (const headers of [{} as Record<string, string>, { authorization: 'Basic !!!' }, { authorization: basic('bob', 'wrong') }, { authorization: basic('nobody', 'x') }, { authorization: basic('alice', BOB_PASS) }]) {
        const res = await call('/basic', headers);
        assert.equal(res.status, 401, JSON.stringify(headers));
        assert.equal(res.headers['www-authenticate'], 'Basic realm="service"');
        assert.equal(res.json().error, 'unauthorized');
      }
    });
  });

  describe('acl', () => {
    it('allows a consumer in an allowed group and forwards its groups', async () => {
      const res = await call('/gold', { apikey: ALICE_KEY, 'x-consumer-groups': 'admin' });
      assert.equal(res.status, 200);
      assert.equal(res.json().headers['x-consumer-groups'], 'gold');
    });

    it('answers 403 with the contract body to a consumer outside the allowed groups', async () => {
      const res = await call('/gold', { apikey: BOB_KEY });
      assert.equal(res.status, 403);
      assert.deepEqual(Object.keys(res.json()).sort(), ['error', 'message', 'request_id']);
      assert.equal(res.json().error, 'forbidden');
      assert.equal(res.json().message, 'You cannot consume this service');
    });

    it('denies a consumer in a denied group and hides groups when asked', async () => {
      assert.equal((await call('/no-silver', { authorization: basic('bob', BOB_PASS) })).status, 403);
      const alice = await call('/no-silver', { authorization: basic('alice', ALICE_PASS), 'x-consumer-groups': 'forged' });
      assert.equal(alice.status, 200);
      assert.equal(alice.json().headers['x-consumer-groups'], undefined);
    });

    it('answers 401 when no consumer was authenticated', async () => {
      const res = await call('/acl-only');
      assert.equal(res.status, 401);
      assert.ok(res.headers['www-authenticate']);
    });

    it('combines auth plugins with anonymous as a logical OR', async () => {
      const byKey = await call('/either', { apikey: ALICE_KEY });
      assert.equal(byKey.status, 200);
      assert.equal(byKey.json().headers['x-consumer-username'], 'alice');
      const byBasic = await call('/either', { authorization: basic('bob', BOB_PASS) });
      assert.equal(byBasic.status, 200);
      assert.equal(byBasic.json().headers['x-consumer-username'], 'bob');
      assert.equal((await call('/either')).status, 403);
    });
  });

  it('never writes a credential to the logs, and logs the consumer', async () => {
    await eventually(() => gw.accessLogs().find((line) => line.consumer === 'bob'), 'an access line for bob');
    const logged = JSON.stringify(gw.logs);
    for (const secret of SECRETS) {
      assert.ok(!logged.includes(secret), 'a credential reached the logs');
      assert.ok(!logged.includes(encodeURIComponent(secret)));
    }
    for (const [user, password] of [['alice', ALICE_PASS], ['bob', BOB_PASS]] as const) assert.ok(!logged.includes(basic(user, password).slice(6)));
  });
});
