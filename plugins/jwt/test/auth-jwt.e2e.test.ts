/**
 * Black-box: the jwt plugin through the real gateway — Kong consumer mode, issuer mode against a real
 * JWKS server (keys made with jose), the Cognito preset, and every token shape that must be refused.
 */
import assert from 'node:assert/strict';
import { createHmac, KeyObject, sign } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type JWTPayload } from 'jose';
import { request } from 'undici';
import { eventually, startTestGateway, type TestGateway } from '../../../test/helpers/gateway.js';
import { makeSigningKey, startJwksServer, type JwksServer, type SigningKey } from '../../../support/jwks-server.js';
import { startUpstream, type TestUpstream } from '../../../test/helpers/upstream.js';

const ISSUER = 'https://issuer.test';
const POOL_ISSUER = 'https://cognito.test/eu-west-1_Pool1';
const HMAC_SECRET = 'alice-hmac-secret-0123456789abcdef';
const now = () => Math.floor(Date.now() / 1000);

const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** Signs any header/payload as given, so tests can make tokens a well-behaved library refuses to. */
function signRaw(header: Record<string, unknown>, payload: Record<string, unknown>, key: SigningKey | string | Buffer): string {
  const input = `${b64(header)}.${b64(payload)}`;
  const signature =
    typeof key === 'string' || Buffer.isBuffer(key) ? createHmac('sha256', key).update(input).digest() : sign('sha256', Buffer.from(input), KeyObject.from(key.privateKey));
  return `${input}.${signature.toString('base64url')}`;
}

async function issue(key: SigningKey, claims: JWTPayload, header: Record<string, unknown> = {}): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: key.alg, kid: key.kid, ...header }).sign(key.privateKey);
}

const valid = (extra: JWTPayload = {}): JWTPayload => ({ iss: ISSUER, aud: 'orders', sub: 'user-1', exp: now() + 600, ...extra });

interface Echo {
  headers: Record<string, string | undefined>;
}

describe('jwt', () => {
  let upstream: TestUpstream;
  let jwks: JwksServer;
  let gw: TestGateway;
  let rsa: SigningKey;
  let ec: SigningKey;
  let rotated: SigningKey;
  let bobKey: SigningKey;
  let bobPem: string;
  const tokensSeen: string[] = [];

  const jwksPath = (name: string) => `/${name}/jwks.json`;

  before(async () => {
    [rsa, ec, rotated, bobKey] = await Promise.all([makeSigningKey('RS256', 'k1'), makeSigningKey('ES256', 'k2'), makeSigningKey('RS256', 'k3'), makeSigningKey('RS256', 'bob')]);
    bobPem = await exportSPKI(bobKey.publicKey);
    upstream = await startUpstream();
    jwks = await startJwksServer();
    for (const name of ['main', 'flood', 'rotate', 'cognito', 'cognito-id', 'both']) jwks.sets.set(jwksPath(name), [rsa.jwk, ec.jwk]);

    const issuerMode = (name: string, extra: Record<string, unknown> = {}) => ({
      jwks_uri: `${jwks.url}${jwksPath(name)}`,
      issuer: ISSUER,
      audiences: ['orders'],
      allowed_algorithms: ['RS256', 'ES256'],
      ...extra,
    });
    const route = (name: string, config: Record<string, unknown>) => ({ name, paths: [`/${name}`], plugins: [{ name: 'jwt', config }] });
    const cognito = (name: string, tokenUse: 'access' | 'id') => ({
      jwks_uri: `${jwks.url}${jwksPath(name)}`,
      issuer: POOL_ISSUER,
      allowed_algorithms: ['RS256'],
      cognito: { region: 'eu-west-1', user_pool_id: 'eu-west-1_Pool1', client_ids: ['client-a'], token_use: tokenUse },
    });

    gw = await startTestGateway({
      _format_version: '3.0',
      consumers: [
        { username: 'alice', jwt_secrets: [{ key: 'alice-iss', algorithm: 'HS256', secret: HMAC_SECRET }] },
        { username: 'bob', custom_id: 'bob-77', jwt_secrets: [{ key: 'bob-iss', algorithm: 'RS256', rsa_public_key: bobPem }] },
      ],
      services: [
        {
          name: 'echo',
          url: upstream.url,
          routes: [
            route('issuer', issuerMode('main', { claims_to_headers: { sub: 'X-User-Sub', groups: 'X-User-Groups' } })),
            route('skew', issuerMode('main', { clock_skew: 60 })),
            route('scoped', issuerMode('main', { required_scopes: ['orders:read'] })),
            route('flood', issuerMode('flood')),
            route('rotate', issuerMode('rotate', { jwks_refresh_cooldown: 2 })),
            route('cognito', cognito('cognito', 'access')),
            route('cognito-id', cognito('cognito-id', 'id')),
            route('kong', { claims_to_verify: ['exp'] }),
            route('both', issuerMode('both')),
          ],
        },
      ],
    });
  });
  after(async () => {
    await gw.close();
    await jwks.close();
    await upstream.close();
  });

  async function call(path: string, token?: string, headers: Record<string, string> = {}) {
    if (token) tokensSeen.push(token);
    const res = await request(`${gw.url}${path}`, { headers: token ? { authorization: `Bearer ${token}`, ...headers } : headers });
    const text = await res.body.text();
    const json = () => JSON.parse(text) as Echo & { message: string; error: string; request_id: string };
    return { status: res.statusCode, headers: res.headers, json };
  }

  async function assertInvalid(path: string, token: string, message?: string) {
    const res = await call(path, token);
    assert.equal(res.status, 401, `expected 401 for ${message ?? token.slice(0, 40)}`);
    assert.equal(res.headers['www-authenticate'], 'Bearer error="invalid_token"');
    const body = res.json();
    assert.equal(body.error, 'unauthorized');
    assert.equal(body.request_id, res.headers['x-request-id']);
    if (message) assert.equal(body.message, message);
  }

  describe('issuer mode', () => {
    it('accepts RS256 and ES256 tokens, forwards claims as headers and drops forged copies', async () => {
      const token = await issue(rsa, valid({ groups: ['a', 'b'] }));
      const forged = { 'x-user-sub': 'admin', 'x-consumer-id': 'forged', 'x-consumer-username': 'forged' };
      for (let i = 0; i < 2; i++) {
        // The second call is served from the verified-token cache and must look the same.
        const res = await call('/issuer', token, forged);
        assert.equal(res.status, 200);
        const { headers } = res.json();
        assert.equal(headers['x-user-sub'], 'user-1');
        assert.equal(headers['x-user-groups'], 'a,b');
        assert.equal(headers['x-consumer-id'], undefined);
        assert.equal(headers['x-consumer-username'], undefined);
      }
      const es = await call('/issuer', await issue(ec, valid({ sub: 'user-2' })), { 'x-user-groups': 'forged' });
      assert.equal(es.status, 200);
      assert.equal(es.json().headers['x-user-sub'], 'user-2');
      assert.equal(es.json().headers['x-user-groups'], undefined);
    });

    it('asks for a token with a Bearer challenge when none is sent', async () => {
      const res = await call('/issuer');
      assert.equal(res.status, 401);
      assert.match(String(res.headers['www-authenticate']), /^Bearer/);
      assert.equal(res.json().error, 'unauthorized');
    });

    it('refuses alg none, HMAC signed with the RSA public key, and unlisted algorithms', async () => {
      await assertInvalid('/issuer', `${b64({ alg: 'none', kid: 'k1' })}.${b64(valid())}.`);
      await assertInvalid('/issuer', `${b64({ alg: 'none', kid: 'k1' })}.${b64(valid())}.${b64('sig')}`, 'Invalid algorithm');
      const publicPem = await exportSPKI(rsa.publicKey);
      await assertInvalid('/issuer', signRaw({ alg: 'HS256', kid: 'k1' }, valid(), publicPem), 'Invalid algorithm');
      const rs384 = await makeSigningKey('RS384', 'k1');
      await assertInvalid('/issuer', await issue(rs384, valid()), 'Invalid algorithm');
    });

    it('refuses embedded jwk, jku and x5u keys without fetching them', async () => {
      const attacker = await generateKeyPair('RS256', { extractable: true });
      const attackerKey: SigningKey = { kid: 'k1', alg: 'RS256', privateKey: attacker.privateKey, publicKey: attacker.publicKey, jwk: await exportJWK(attacker.publicKey) };
      const trap = `${jwks.url}/attacker/jwks.json`;
      await assertInvalid('/issuer', signRaw({ alg: 'RS256', jwk: attackerKey.jwk }, valid(), attackerKey));
      await assertInvalid('/issuer', signRaw({ alg: 'RS256', kid: 'k1', jku: trap }, valid(), attackerKey));
      await assertInvalid('/issuer', signRaw({ alg: 'RS256', kid: 'k1', x5u: trap }, valid(), attackerKey));
      // Even a token that is otherwise valid is refused with an embedded key parameter.
      await assertInvalid('/issuer', signRaw({ alg: 'RS256', kid: 'k1', jku: trap }, valid(), rsa));
      assert.equal(jwks.hits('/attacker/jwks.json'), 0);
      // And a token signed by a key the issuer does not publish fails the signature check.
      await assertInvalid('/issuer', signRaw({ alg: 'RS256', kid: 'k1' }, valid(), attackerKey), 'Invalid signature');
    });

    it('refuses unknown critical header parameters', async () => {
      await assertInvalid('/issuer', signRaw({ alg: 'RS256', kid: 'k1', crit: ['x-custom'], 'x-custom': 1 }, valid(), rsa));
    });

    it('refuses wrong issuer, wrong audience, expired, not-yet-valid and exp-less tokens', async () => {
      await assertInvalid('/issuer', await issue(rsa, valid({ iss: 'https://evil.test' })), 'Invalid issuer');
      await assertInvalid('/issuer', await issue(rsa, valid({ aud: 'billing' })), 'Invalid audience');
      await assertInvalid('/issuer', await issue(rsa, valid({ exp: now() - 10 })), 'token expired');
      await assertInvalid('/issuer', await issue(rsa, valid({ nbf: now() + 300 })), 'token not valid yet');
      await assertInvalid('/issuer', await issue(rsa, { iss: ISSUER, aud: 'orders', sub: 'x' }));
    });

    it('applies clock_skew to exp', async () => {
      assert.equal((await call('/skew', await issue(rsa, valid({ exp: now() - 30 })))).status, 200);
      await assertInvalid('/skew', await issue(rsa, valid({ exp: now() - 120 })), 'token expired');
    });

    it('refuses malformed tokens of every shape', async () => {
      const header = b64({ alg: 'RS256', kid: 'k1' });
      const payload = b64(valid());
      for (const token of ['abc', 'a.b', `${header}.${payload}`, `${header}.${payload}.sig.extra`, `${header}..sig`, `!!.${payload}.sig`, `${b64('not json')}.${payload}.sig`, `${b64([1])}.${payload}.sig`, `${header}.${b64('[]')}.sig`, `${header}.${b64('null')}.sig`, `${b64({ kid: 'k1' })}.${payload}.sig`]) {
        await assertInvalid('/issuer', token);
      }
    });

    it('refuses a cached token once its exp has passed', async () => {
      const token = await issue(rsa, valid({ exp: now() + 2 }));
      assert.equal((await call('/issuer', token)).status, 200);
      assert.equal((await call('/issuer', token)).status, 200);
      await new Promise((resolve) => setTimeout(resolve, 3100));
      await assertInvalid('/issuer', token, 'token expired');
    });

    it('refuses a forged payload under the signature of a cached token', async () => {
      const token = await issue(rsa, valid());
      assert.equal((await call('/issuer', token)).status, 200);
      const [header, , signature] = token.split('.');
      await assertInvalid('/issuer', `${header}.${b64(valid({ sub: 'admin' }))}.${signature}`, 'Invalid signature');
      const res = await call('/issuer', token);
      assert.equal(res.status, 200);
      assert.equal(res.json().headers['x-user-sub'], 'user-1');
    });

    it('refuses oversized tokens before any JWKS fetch', async () => {
      const huge = signRaw({ alg: 'RS256', kid: 'unknown' }, valid({ pad: 'x'.repeat(9000) }), rsa);
      const before = jwks.hits(jwksPath('rotate'));
      await assertInvalid('/rotate', huge, 'Bad token; too large');
      assert.equal(jwks.hits(jwksPath('rotate')), before);
    });

    it('refuses two different tokens in one request', async () => {
      const a = await issue(rsa, valid());
      const b = await issue(rsa, valid({ sub: 'other' }));
      tokensSeen.push(a, b);
      const res = await request(`${gw.url}/issuer?jwt=${b}`, { headers: { authorization: `Bearer ${a}` } });
      assert.equal(res.statusCode, 401);
      assert.equal(((await res.body.json()) as { message: string }).message, 'Multiple tokens provided');
    });

    it('checks required scopes from scope or scp, answering 403', async () => {
      assert.equal((await call('/scoped', await issue(rsa, valid({ scope: 'profile orders:read' })))).status, 200);
      assert.equal((await call('/scoped', await issue(rsa, valid({ scp: ['orders:read'] })))).status, 200);
      const res = await call('/scoped', await issue(rsa, valid({ scope: 'profile' })));
      assert.equal(res.status, 403);
      assert.equal(res.json().error, 'forbidden');
      assert.equal(res.headers['www-authenticate'], 'Bearer error="insufficient_scope"');
    });
  });

  describe('JWKS refetch', () => {
    it('a flood of unknown kids causes no refetch within the cooldown', async () => {
      await eventually(() => (jwks.hits(jwksPath('flood')) === 1 ? true : undefined), 'the initial JWKS fetch');
      const tokens = await Promise.all(Array.from({ length: 40 }, (_, i) => issue({ ...rsa, kid: `unknown-${i}` }, valid())));
      const results = await Promise.all(tokens.map((token) => call('/flood', token)));
      assert.ok(results.every((res) => res.status === 401));
      assert.equal(jwks.hits(jwksPath('flood')), 1);
      assert.equal((await call('/flood', await issue(rsa, valid()))).status, 200);
    });

    it('after the cooldown, unknown kids trigger exactly one refetch, which picks up a rotated key', async () => {
      const path = jwksPath('rotate');
      const pause = () => new Promise((resolve) => setTimeout(resolve, 2100));
      await eventually(() => (jwks.hits(path) === 1 ? true : undefined), 'the initial JWKS fetch');
      assert.equal((await call('/rotate', await issue(rsa, valid()))).status, 200);
      // Start a fresh cooldown (2 s): once one may pass, an unknown kid makes exactly one refetch.
      await pause();
      await assertInvalid('/rotate', await issue({ ...rsa, kid: 'unknown-start' }, valid()), 'No matching key for the token');
      assert.equal(jwks.hits(path), 2);
      jwks.sets.set(path, [rsa.jwk, rotated.jwk]);
      // A token signed by the new key is refused while that cooldown runs…
      await assertInvalid('/rotate', await issue(rotated, valid()), 'No matching key for the token');
      assert.equal(jwks.hits(path), 2);
      await pause();
      // …then a flood of new kids costs the issuer one request, and the rotated key works.
      const tokens = await Promise.all([rotated, ...Array.from({ length: 30 }, (_, i) => ({ ...rsa, kid: `new-${i}` }))].map((key) => issue(key, valid())));
      const results = await Promise.all(tokens.map((token) => call('/rotate', token)));
      assert.equal(results[0]?.status, 200);
      assert.ok(results.slice(1).every((res) => res.status === 401));
      assert.equal(jwks.hits(path), 3);
    });
  });

  describe('cognito preset', () => {
    const cognitoClaims = (extra: JWTPayload): JWTPayload => ({ iss: POOL_ISSUER, sub: 'cog-user', exp: now() + 600, ...extra });

    it('accepts access tokens of a listed client and refuses other clients and id tokens', async () => {
      const ok = await call('/cognito', await issue(rsa, cognitoClaims({ token_use: 'access', client_id: 'client-a', scope: 'aws.cognito.signin.user.admin' })));
      assert.equal(ok.status, 200);
      await assertInvalid('/cognito', await issue(rsa, cognitoClaims({ token_use: 'access', client_id: 'client-b' })), 'Invalid client id');
      await assertInvalid('/cognito', await issue(rsa, cognitoClaims({ token_use: 'id', aud: 'client-a' })), 'Invalid token_use');
      await assertInvalid('/cognito', await issue(rsa, cognitoClaims({ token_use: 'access', client_id: 'client-a', iss: ISSUER })), 'Invalid issuer');
    });

    it('checks aud of id tokens', async () => {
      assert.equal((await call('/cognito-id', await issue(rsa, cognitoClaims({ token_use: 'id', aud: 'client-a' })))).status, 200);
      await assertInvalid('/cognito-id', await issue(rsa, cognitoClaims({ token_use: 'id', aud: 'client-b' })), 'Invalid client id');
      await assertInvalid('/cognito-id', await issue(rsa, cognitoClaims({ token_use: 'access', client_id: 'client-a' })), 'Invalid token_use');
    });
  });

  describe('Kong consumer mode', () => {
    const hs = (claims: Record<string, unknown>, secret = HMAC_SECRET) => signRaw({ alg: 'HS256', typ: 'JWT' }, claims, secret);

    it('authenticates HS256 and RS256 consumers and forwards them', async () => {
      const alice = await call('/kong', hs({ iss: 'alice-iss', exp: now() + 60 }));
      assert.equal(alice.status, 200);
      assert.equal(alice.json().headers['x-consumer-username'], 'alice');
      assert.equal(alice.json().headers['x-credential-identifier'], 'alice-iss');

      const bob = await call('/kong', await issue(bobKey, { iss: 'bob-iss', exp: now() + 60 }));
      assert.equal(bob.status, 200);
      assert.equal(bob.json().headers['x-consumer-username'], 'bob');
      assert.equal(bob.json().headers['x-consumer-custom-id'], 'bob-77');
    });

    it('reads the token from the jwt query argument', async () => {
      const token = hs({ iss: 'alice-iss', exp: now() + 60 });
      tokensSeen.push(token);
      const res = await request(`${gw.url}/kong?jwt=${token}`);
      assert.equal(res.statusCode, 200);
      await res.body.dump();
    });

    it("answers Kong's messages for bad tokens", async () => {
      await assertInvalid('/kong', hs({ iss: 'alice-iss', exp: now() + 60 }, 'wrong-secret'), 'Invalid signature');
      await assertInvalid('/kong', hs({ iss: 'nobody', exp: now() + 60 }), "No credentials found for given 'iss'");
      await assertInvalid('/kong', hs({ exp: now() + 60 }), "No mandatory 'iss' in claims");
      await assertInvalid('/kong', hs({ iss: 'alice-iss', exp: now() - 5 }), 'token expired');
      await assertInvalid('/kong', hs({ iss: 'alice-iss' }), "No mandatory 'exp' in claims");
      // HMAC "signed" with bob's public key: the algorithm is pinned by his secret (RS256).
      await assertInvalid('/kong', signRaw({ alg: 'HS256' }, { iss: 'bob-iss', exp: now() + 60 }, bobPem), 'Invalid algorithm');
    });

    it('combines both modes on one route', async () => {
      const consumer = await call('/both', hs({ iss: 'alice-iss' }));
      assert.equal(consumer.status, 200);
      assert.equal(consumer.json().headers['x-consumer-username'], 'alice');
      const issuer = await call('/both', await issue(rsa, valid()));
      assert.equal(issuer.status, 200);
      assert.equal(issuer.json().headers['x-consumer-username'], undefined);
    });
  });

  it('never writes a token or secret to the logs', async () => {
    await eventually(() => (gw.accessLogs().length > 50 ? true : undefined), 'access lines');
    const logged = JSON.stringify(gw.logs);
    for (const token of tokensSeen) {
      for (const part of token.split('.')) if (part.length > 20) assert.ok(!logged.includes(part), 'a token part reached the logs');
    }
    assert.ok(!logged.includes(HMAC_SECRET));
  });
});
