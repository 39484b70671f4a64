/**
 * Black-box: API Gateway exports written after the AWS Developer Guide's examples, imported with
 * `gatehouse import --from aws`, then served by the real gateway against local upstreams — each
 * method and path reaching the upstream with the mapped path and parameters, Cognito (a local JWKS
 * issuing tokens shaped as Cognito's), HTTP API JWT (a local OpenID provider found by discovery),
 * Lambda-authorizer, API-key checks and usage-plan quotas holding.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { SignJWT, type JWTPayload } from 'jose';
import { request } from 'undici';
import { makeSigningKey, startJwksServer, type JwksServer, type SigningKey } from '../support/jwks-server.js';
import { validateWithBundledPlugins } from './helpers/bundled-plugins.js';
import { startTestGateway, type TestGateway } from './helpers/gateway.js';
import { fillFixture, pluginsNamed, runImportCommand, type Imported } from './helpers/import.js';
import { startUpstream, type TestUpstream } from './helpers/upstream.js';

const now = () => Math.floor(Date.now() / 1000);

async function call(url: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}) {
  const res = await request(url, { method: (options.method ?? 'GET') as 'GET', headers: options.headers, body: options.body });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, text, json: () => JSON.parse(text) };
}

function entry(imported: Imported, kind: string, pathPart: string, messagePart = '') {
  const found = imported.report.entries.find((e) => e.kind === kind && e.path.includes(pathPart) && e.message.includes(messagePart));
  assert.ok(found, `report has no ${kind} entry at ${pathPart} saying "${messagePart}":\n${JSON.stringify(imported.report.entries, null, 1)}`);
  return found;
}

describe('import --from aws: PetStore (Swagger 2.0, HTTP integrations, CORS mocks)', () => {
  let upstream: TestUpstream;
  let gw: TestGateway;
  let imported: Imported;

  before(async () => {
    upstream = await startUpstream();
    imported = await runImportCommand('aws', 'aws-petstore.json', ['--stage-variables', `petstoreHost=127.0.0.1:${upstream.port}`]);
    assert.equal(imported.code, 0, imported.stderr);
    gw = await startTestGateway(imported.yaml);
  });
  after(async () => {
    await gw?.close();
    await upstream?.close();
  });

  it('reports what each part became, by JSON path', () => {
    entry(imported, 'mapped', '$.basePath', 'base path /test');
    entry(imported, 'mapped', '$.paths["/pets/{petId}"].get', 'route getpet');
    entry(imported, 'mapped', '$.paths["/pets"].options["x-amazon-apigateway-integration"]', 'CORS preflight mock → cors');
    entry(imported, 'mapped', '$["x-amazon-apigateway-binary-media-types"]', 'nothing to do');
    assert.equal(imported.report.summary.unmapped, 0);
  });

  it('sends each method and path to the backend path with its parameters', async () => {
    const list = await call(`${gw.url}/test/pets?type=dog&page=2`);
    assert.equal(list.status, 200);
    assert.equal(list.json().url, '/petstore/pets?type=dog&page=2');

    const created = await call(`${gw.url}/test/pets`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"type":"cat","price":12}' });
    assert.equal(created.status, 200);
    assert.equal(created.json().method, 'POST');
    assert.equal(created.json().url, '/petstore/pets');
    assert.equal(created.json().headers['x-source'], 'apigateway');
    assert.equal(created.json().bytes, 25);

    const one = await call(`${gw.url}/test/pets/42`);
    assert.equal(one.json().url, '/petstore/pets/42');
    assert.equal(one.json().headers['x-pet-id'], '42');
  });

  it('answers the root mock and the CORS preflights itself, and adds CORS headers to answers', async () => {
    const seen = upstream.seen.length;
    const root = await call(`${gw.url}/test/`);
    assert.equal(root.status, 200);
    assert.match(String(root.headers['content-type']), /text\/html/);
    assert.match(root.text, /Welcome to your Pet Store API/);

    const preflight = await call(`${gw.url}/test/pets/42`, { method: 'OPTIONS', headers: { origin: 'https://shop.example', 'access-control-request-method': 'GET' } });
    assert.ok(preflight.status === 200 || preflight.status === 204, String(preflight.status));
    assert.equal(preflight.headers['access-control-allow-origin'], '*');
    assert.equal(preflight.headers['access-control-allow-methods'], 'GET,OPTIONS');
    assert.equal(preflight.headers['access-control-allow-headers'], 'Content-Type,X-Amz-Date,Authorization,X-Api-Key');
    assert.equal(upstream.seen.length, seen, 'mocks never reach the upstream');

    const actual = await call(`${gw.url}/test/pets`, { headers: { origin: 'https://shop.example' } });
    assert.equal(actual.headers['access-control-allow-origin'], '*');
  });

  it('keeps the paths\' shape: nothing else is routed', async () => {
    const seen = upstream.seen.length;
    for (const [method, path] of [['GET', '/test/pets/42/toys'], ['GET', '/pets'], ['DELETE', '/test/pets'], ['GET', '/test/petsx']]) {
      assert.equal((await call(`${gw.url}${path}`, { method })).status, 404, `${method} ${path}`);
    }
    assert.equal(upstream.seen.length, seen);
  });
});

describe('import --from aws: Cognito user pool, Lambda token authorizer, API keys and usage plans (OpenAPI 3 export)', () => {
  const POOL = 'us-west-2_aBcDeFgHi';
  const CLIENT = '7abc1defgh2ijklmnop3qrstuv';
  let upstream: TestUpstream;
  let jwks: JwksServer;
  let authorizer: Server;
  let key: SigningKey;
  let gw: TestGateway;
  let imported: Imported;
  let issuer: string;

  const idToken = (extra: JWTPayload = {}) =>
    new SignJWT({ sub: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee', aud: CLIENT, email_verified: true, token_use: 'id', auth_time: now(), 'cognito:username': 'alice', email: 'alice@example.com', event_id: 'e1', origin_jti: 'o1', jti: 'j1', ...extra })
      .setProtectedHeader({ alg: 'RS256', kid: key.kid })
      .setIssuer(issuer)
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(key.privateKey);
  const accessToken = (scope: string, extra: JWTPayload = {}) =>
    new SignJWT({ sub: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee', 'cognito:groups': ['writers'], token_use: 'access', scope, auth_time: now(), client_id: CLIENT, username: 'alice', version: 2, event_id: 'e2', origin_jti: 'o2', jti: 'j2', ...extra })
      .setProtectedHeader({ alg: 'RS256', kid: key.kid })
      .setIssuer(issuer)
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(key.privateKey);
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  before(async () => {
    upstream = await startUpstream();
    jwks = await startJwksServer();
    key = await makeSigningKey('RS256', 'cognito-key-1');
    jwks.sets.set(`/${POOL}/.well-known/jwks.json`, [key.jwk]);
    issuer = `${jwks.url}/${POOL}`;
    // The Lambda authorizer, rewritten as the HTTP endpoint the report asks for.
    authorizer = createServer((req, res) => res.writeHead(req.headers.authorization === 'allow-me' ? 200 : 403).end());
    await new Promise<void>((resolve) => authorizer.listen(0, '127.0.0.1', resolve));

    imported = await runImportCommand('aws', 'aws-cognito.yaml', ['--stage-variables', `backend=127.0.0.1:${upstream.port}`, '--usage-plans', 'test/fixtures/import/aws-usage-plans.json']);
    assert.equal(imported.code, 0, imported.stderr);
    // What the report says to fill in, done as a user would: app client ids, the authorizer's URL,
    // the plans' API keys; and the pool's issuer and keys served locally instead of by AWS.
    for (const jwt of pluginsNamed(imported.config, 'jwt')) Object.assign(jwt.config, { issuer, jwks_uri: `${issuer}/.well-known/jwks.json` }, { cognito: { ...jwt.config.cognito, client_ids: [CLIENT] } });
    for (const forward of pluginsNamed(imported.config, 'forward-auth')) forward.config.url = `http://127.0.0.1:${(authorizer.address() as AddressInfo).port}/`;
    const consumers = imported.config.consumers as { username: string; keyauth_credentials?: { key: string }[] }[];
    consumers.find((c) => c.username === 'usage-plan-basic')!.keyauth_credentials = [{ key: 'basic-key-1' }];
    consumers.find((c) => c.username === 'usage-plan-premium')!.keyauth_credentials = [{ key: 'premium-key-1' }];
    assert.ok(validateWithBundledPlugins(imported.config).ok);
    gw = await startTestGateway(imported.config);
  });
  after(async () => {
    await gw?.close();
    await upstream?.close();
    await jwks?.close();
    authorizer?.closeAllConnections();
    await new Promise((resolve) => authorizer?.close(resolve));
  });

  it('reports the Cognito preset, the client ids and the authorizer URL to fill in, by path', () => {
    const cognito = entry(imported, 'partial', '$.components.securitySchemes.MyUserPool', 'fill in config.cognito.client_ids');
    assert.match(cognito.to!, /^services\[0\]\.routes\[\d\]\.plugins\[0\]$/);
    entry(imported, 'partial', '$.components.securitySchemes.LambdaTokenAuth', 'replace config.url');
    entry(imported, 'partial', 'aws-usage-plans.json: $.items[0]', 'add this plan\'s API keys');
    entry(imported, 'partial', 'aws-usage-plans.json: $.items[0].apiStages[0].throttle["/reports/GET"]', 'method throttle');
  });

  it('Cognito: reads need an ID token of the pool, writes an access token with the scope', async () => {
    const seen = upstream.seen.length;
    assert.equal((await call(`${gw.url}/prod/items`)).status, 401);
    assert.equal((await call(`${gw.url}/prod/items`, { headers: bearer(await accessToken('items/write')) })).status, 401, 'an access token where API Gateway wants the ID token');
    assert.equal((await call(`${gw.url}/prod/items`, { headers: bearer(await idToken({ aud: 'another-client' })) })).status, 401);
    assert.equal((await call(`${gw.url}/prod/items`, { method: 'POST', headers: bearer(await accessToken('aws.cognito.signin.user.admin')) })).status, 403);
    assert.equal(upstream.seen.length, seen, 'refused requests never reach the upstream');

    const read = await call(`${gw.url}/prod/items`, { headers: bearer(await idToken()) });
    assert.equal(read.status, 200);
    assert.equal(read.json().url, '/items');
    const write = await call(`${gw.url}/prod/items`, { method: 'POST', headers: bearer(await accessToken('items/write aws.cognito.signin.user.admin')), body: '{}' });
    assert.equal(write.status, 200);
    assert.equal(write.json().method, 'POST');
    const one = await call(`${gw.url}/prod/items/it-9`, { headers: bearer(await idToken()) });
    assert.equal(one.json().url, '/items/it-9', 'the backend path parameter {id} comes from the method parameter itemId');
  });

  it('the Lambda authorizer, now forward-auth, guards the greedy admin path', async () => {
    assert.equal((await call(`${gw.url}/prod/admin/users/7`, { method: 'DELETE' })).status, 403);
    const allowed = await call(`${gw.url}/prod/admin/users/7?force=1`, { method: 'DELETE', headers: { authorization: 'allow-me' } });
    assert.equal(allowed.status, 200);
    assert.equal(allowed.json().method, 'DELETE');
    assert.equal(allowed.json().url, '/internal/admin/users/7?force=1');
  });

  it('API keys: usage-plan quotas and per-method throttles apply per key', async () => {
    assert.equal((await call(`${gw.url}/prod/orders`)).status, 401);
    assert.equal((await call(`${gw.url}/prod/orders`, { headers: { 'x-api-key': 'nobody' } })).status, 401);
    const statuses: number[] = [];
    let last;
    for (let i = 0; i < 4; i++) {
      last = await call(`${gw.url}/prod/orders`, { headers: { 'x-api-key': 'basic-key-1' } });
      statuses.push(last.status);
    }
    assert.deepEqual(statuses, [200, 200, 200, 429], 'the Basic plan allows 3 calls a day');
    assert.equal(last!.headers['x-ratelimit-limit-day'], '3');
    assert.equal(last!.headers['x-ratelimit-remaining-day'], '0');
    for (let i = 0; i < 4; i++) assert.equal((await call(`${gw.url}/prod/orders`, { headers: { 'x-api-key': 'premium-key-1' } })).status, 200);

    const first = await call(`${gw.url}/prod/reports`, { headers: { 'x-api-key': 'basic-key-1' } });
    assert.equal(first.status, 200, 'the reports throttle is its own plugin, counted apart');
    assert.equal(first.headers['x-ratelimit-limit-second'], '1');
    assert.equal((await call(`${gw.url}/prod/reports`, { headers: { 'x-api-key': 'basic-key-1' } })).status, 429);
  });
});

describe('import --from aws: HTTP API with a JWT authorizer and CORS (OpenAPI 3 export)', () => {
  let upstream: TestUpstream;
  let provider: Server;
  let key: SigningKey;
  let gw: TestGateway;
  let imported: Imported;
  let issuer: string;

  const token = (claims: JWTPayload) =>
    new SignJWT({ sub: 'user-42', aud: 'pets-api', ...claims }).setProtectedHeader({ alg: 'RS256', kid: key.kid }).setIssuer(issuer).setIssuedAt().setExpirationTime('10m').sign(key.privateKey);

  before(async () => {
    upstream = await startUpstream();
    key = await makeSigningKey('RS256', 'idp-1');
    // A local OpenID provider: the importer finds the JWKS URI through its discovery document.
    provider = createServer((req, res) => {
      const body =
        req.url === '/oauth2/.well-known/openid-configuration'
          ? { issuer, jwks_uri: `${issuer}/keys`, id_token_signing_alg_values_supported: ['RS256'] }
          : req.url === '/oauth2/keys'
            ? { keys: [key.jwk] }
            : null;
      res.writeHead(body ? 200 : 404, { 'content-type': 'application/json' }).end(JSON.stringify(body ?? {}));
    });
    await new Promise<void>((resolve) => provider.listen(0, '127.0.0.1', resolve));
    issuer = `http://127.0.0.1:${(provider.address() as AddressInfo).port}/oauth2`;
    const file = await fillFixture('aws-http-api-jwt.yaml', { ISSUER: issuer });
    imported = await runImportCommand('aws', file, ['--stage-variables', `backend=127.0.0.1:${upstream.port}`]);
    assert.equal(imported.code, 0, imported.stderr);
    gw = await startTestGateway(imported.yaml);
  });
  after(async () => {
    await gw?.close();
    await upstream?.close();
    provider?.closeAllConnections();
    await new Promise((resolve) => provider?.close(resolve));
  });

  it('maps the authorizer to jwt issuer mode with the discovered keys', () => {
    const [jwt] = pluginsNamed(imported.config, 'jwt');
    assert.equal(jwt.config.jwks_uri, `${issuer}/keys`);
    assert.deepEqual(jwt.config.audiences, ['pets-api']);
    entry(imported, 'mapped', '$["x-amazon-apigateway-cors"]', 'cors for every route');
  });

  it('JWT: audience and scopes are checked per route', async () => {
    const seen = upstream.seen.length;
    assert.equal((await call(`${gw.url}/pets`)).status, 401);
    assert.equal((await call(`${gw.url}/pets`, { headers: { authorization: `Bearer ${await token({ aud: 'other', scope: 'pets/read' })}` } })).status, 401);
    assert.equal((await call(`${gw.url}/pets`, { headers: { authorization: `Bearer ${await token({ scope: 'pets/write' })}` } })).status, 403);
    assert.equal(upstream.seen.length, seen);
    const read = await call(`${gw.url}/pets?limit=5`, { headers: { authorization: `Bearer ${await token({ scope: 'pets/read' })}` } });
    assert.equal(read.status, 200);
    assert.equal(read.json().url, '/pets?limit=5');
    const write = await call(`${gw.url}/pets`, { method: 'POST', headers: { authorization: `Bearer ${await token({ scope: 'pets/write' })}` }, body: 'x' });
    assert.equal(write.json().method, 'POST');
    const one = await call(`${gw.url}/pets/17`, { headers: { authorization: `Bearer ${await token({})}` } });
    assert.equal(one.json().url, '/pets/17');
    const health = await call(`${gw.url}/health`);
    assert.equal(health.json().url, '/healthz');
  });

  it('CORS: preflights are answered for the allowed origin only, before the authorizer', async () => {
    const seen = upstream.seen.length;
    const ok = await call(`${gw.url}/pets`, { method: 'OPTIONS', headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST' } });
    assert.ok(ok.status === 200 || ok.status === 204, String(ok.status));
    assert.equal(ok.headers['access-control-allow-origin'], 'https://app.example.com');
    assert.equal(ok.headers['access-control-allow-credentials'], 'true');
    assert.equal(ok.headers['access-control-max-age'], '300');
    const other = await call(`${gw.url}/pets`, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    assert.notEqual(other.headers['access-control-allow-origin'], 'https://evil.example');
    assert.notEqual(other.headers['access-control-allow-origin'], '*');
    assert.equal(upstream.seen.length, seen);
  });
});
