/**
 * Black-box: a plain OpenAPI 3.1 document and a Swagger 2.0 one imported with
 * `gatehouse import --from openapi` and served by the real gateway (the chosen server as upstream,
 * templates as regex routes, each security scheme as its auth plugin); and the Lambda proxy exports
 * of `--from aws` as Kong's aws-lambda options.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SignJWT } from 'jose';
import { request } from 'undici';
import { makeSigningKey, type SigningKey } from '../support/jwks-server.js';
import { startTestGateway, type TestGateway } from './helpers/gateway.js';
import { fillFixture, pluginsNamed, runImportCommand, type Imported } from './helpers/import.js';
import { startUpstream, type TestUpstream } from './helpers/upstream.js';

async function call(url: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}) {
  const res = await request(url, { method: (options.method ?? 'GET') as 'GET', headers: options.headers, body: options.body });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, json: () => JSON.parse(text) };
}

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('import --from openapi: OpenAPI 3.1', () => {
  let upstream: TestUpstream;
  let provider: Server;
  let key: SigningKey;
  let issuer: string;
  let imported: Imported;
  let gw: TestGateway;
  const hmac = new TextEncoder().encode('bookshop-shared-secret-0123456789abcdef');

  before(async () => {
    upstream = await startUpstream();
    key = await makeSigningKey('ES256', 'books-1');
    provider = createServer((req, res) => {
      const body =
        req.url === '/realms/books/.well-known/openid-configuration'
          ? { issuer, jwks_uri: `${issuer}/protocol/openid-connect/certs`, id_token_signing_alg_values_supported: ['ES256', 'HS256'] }
          : req.url === '/realms/books/protocol/openid-connect/certs'
            ? { keys: [key.jwk] }
            : null;
      res.writeHead(body ? 200 : 404, { 'content-type': 'application/json' }).end(JSON.stringify(body ?? {}));
    });
    await new Promise<void>((resolve) => provider.listen(0, '127.0.0.1', resolve));
    issuer = `http://127.0.0.1:${(provider.address() as AddressInfo).port}/realms/books`;
    const file = await fillFixture('openapi-3.1.yaml', { UPSTREAM: `127.0.0.1:${upstream.port}`, ISSUER: issuer });
    imported = await runImportCommand('openapi', file, ['--server', '1']);
    assert.equal(imported.code, 0, imported.stderr);
    imported.config.consumers = [
      { username: 'reader', keyauth_credentials: [{ key: 'reader-key' }] },
      { username: 'clerk', basicauth_credentials: [{ username: 'clerk', password: 'clerk-pass' }] },
      { username: 'admin', jwt_secrets: [{ key: 'admin-app', algorithm: 'HS256', secret: 'bookshop-shared-secret-0123456789abcdef' }] },
    ];
    gw = await startTestGateway(imported.config);
  });
  after(async () => {
    await gw?.close();
    await upstream?.close();
    provider?.closeAllConnections();
    await new Promise((resolve) => provider?.close(resolve));
  });

  it('the chosen server is the upstream, each scheme its plugin', () => {
    assert.equal(imported.config.services[0].url, `http://127.0.0.1:${upstream.port}`);
    const [oidc] = pluginsNamed(imported.config, 'jwt').filter((p) => p.config.jwks_uri);
    assert.deepEqual(oidc.config, { jwks_uri: `${issuer}/protocol/openid-connect/certs`, issuer, allowed_algorithms: ['ES256'], required_scopes: ['books:write'] });
    assert.deepEqual(pluginsNamed(imported.config, 'key-auth')[0].config, { key_names: ['api_key'], key_in_header: false, key_in_query: true });
  });

  it('serves every operation with its path, parameters and security', async () => {
    const seen = upstream.seen.length;
    assert.equal((await call(`${gw.url}/v2/books`)).status, 401);
    const list = await call(`${gw.url}/v2/books?author=le%20guin&api_key=reader-key`);
    assert.equal(list.status, 200);
    assert.equal(list.json().url, '/v2/books?author=le%20guin&api_key=reader-key');

    assert.equal((await call(`${gw.url}/v2/books/978-0/`)).status, 404, 'a template matches one segment');
    assert.equal((await call(`${gw.url}/v2/books/978-0`)).status, 401);
    const one = await call(`${gw.url}/v2/books/978-0`, { headers: { authorization: basic('clerk', 'clerk-pass') } });
    assert.equal(one.json().url, '/v2/books/978-0');

    const adminToken = await new SignJWT({ iss: 'admin-app' }).setProtectedHeader({ alg: 'HS256' }).sign(hmac);
    assert.equal((await call(`${gw.url}/v2/books/978-0`, { method: 'DELETE' })).status, 401);
    const deleted = await call(`${gw.url}/v2/books/978-0`, { method: 'DELETE', headers: { authorization: `Bearer ${adminToken}` } });
    assert.equal(deleted.json().method, 'DELETE');

    const writer = await new SignJWT({ scope: 'books:write' }).setProtectedHeader({ alg: 'ES256', kid: key.kid }).setIssuer(issuer).setExpirationTime('5m').sign(key.privateKey);
    const reader = await new SignJWT({ scope: 'books:read' }).setProtectedHeader({ alg: 'ES256', kid: key.kid }).setIssuer(issuer).setExpirationTime('5m').sign(key.privateKey);
    const before = upstream.seen.length;
    assert.equal((await call(`${gw.url}/v2/books`, { method: 'POST', headers: { authorization: `Bearer ${reader}` }, body: '{}' })).status, 403);
    assert.equal(upstream.seen.length, before);
    const added = await call(`${gw.url}/v2/books`, { method: 'POST', headers: { authorization: `Bearer ${writer}` }, body: '{}' });
    assert.equal(added.status, 200);
    assert.equal(added.json().method, 'POST');

    const cover = await call(`${gw.url}/v2/books/978-0/cover.png`);
    assert.equal(cover.json().url, '/v2/books/978-0/cover.png', 'security: [] opens an operation the document-wide key would close');
    assert.equal((await call(`${gw.url}/v2/health`)).status, 200);
    assert.ok(upstream.seen.length > seen);
  });
});

describe('import --from openapi: Swagger 2.0', () => {
  let upstream: TestUpstream;
  let imported: Imported;
  let gw: TestGateway;

  before(async () => {
    upstream = await startUpstream();
    const file = await fillFixture('swagger-2.0.yaml', { UPSTREAM: `127.0.0.1:${upstream.port}` });
    imported = await runImportCommand('openapi', file);
    assert.equal(imported.code, 0, imported.stderr);
    imported.config.consumers = [{ username: 'warehouse', keyauth_credentials: [{ key: 'wh-key' }] }];
    gw = await startTestGateway(imported.config);
  });
  after(async () => {
    await gw?.close();
    await upstream?.close();
  });

  it('serves host + basePath with the header API key', async () => {
    assert.equal((await call(`${gw.url}/api/stock`)).status, 401);
    const list = await call(`${gw.url}/api/stock`, { headers: { 'x-api-key': 'wh-key' } });
    assert.equal(list.json().url, '/api/stock');
    const put = await call(`${gw.url}/api/stock/sku-1`, { method: 'PUT', headers: { 'x-api-key': 'wh-key' }, body: '{"n":3}' });
    assert.equal(put.json().url, '/api/stock/sku-1');
    assert.equal(put.json().method, 'PUT');
  });

  it('closes, and reports, the operation whose OAuth2 scheme has no equivalent', async () => {
    const entry = imported.report.entries.find((e) => e.kind === 'unmapped' && e.path === '$.securityDefinitions.oauth');
    assert.match(entry?.message ?? '', /OAuth2 .* the route is closed \(request-termination 403 at services\[0\]\.routes\[2\]\.plugins\[0\]\)/);
    const seen = upstream.seen.length;
    assert.equal((await call(`${gw.url}/api/legacy/sync`, { method: 'POST', headers: { 'x-api-key': 'wh-key' } })).status, 403);
    assert.equal(upstream.seen.length, seen);
  });
});

describe('import --from aws: Lambda proxy integrations', () => {
  // The config as written; test/import-lambda.e2e.test.ts serves it end to end through aws-lambda.
  it('REST API: aws_proxy routes as aws-lambda with Kong\'s option names, payload 1.0, stage variables resolved', async () => {
    const imported = await runImportCommand('aws', 'aws-lambda-rest.json', ['--stage-variables', 'catchAllFunction=CatchAll']);
    const routes = imported.config.routes as any[];
    assert.deepEqual(
      routes.map((r) => [r.paths, r.methods, r.plugins]),
      [
        [['~/test/hello$'], ['GET'], [{ name: 'aws-lambda', config: { aws_region: 'eu-west-1', function_name: 'GetStartedLambdaProxyIntegration', qualifier: 'live', timeout: 29000, is_proxy_integration: true, awsgateway_compatible: true, awsgateway_compatible_payload_version: '1.0' } }]],
        [['~/test/(?<proxy>.+)$'], undefined, [{ name: 'aws-lambda', config: { aws_region: 'eu-west-1', function_name: 'CatchAll', is_proxy_integration: true, awsgateway_compatible: true, awsgateway_compatible_payload_version: '1.0' } }]],
      ],
    );
  });

  it('HTTP API: each integration\'s payloadFormatVersion', async () => {
    const imported = await runImportCommand('aws', 'aws-lambda-http-api.yaml');
    const configs = pluginsNamed(imported.config, 'aws-lambda').map((p) => [p.config.function_name, p.config.aws_region, p.config.awsgateway_compatible_payload_version]);
    assert.deepEqual(configs, [['echo-v2', 'us-east-1', '2.0'], ['echo-v1', 'us-east-1', '1.0']]);
  });

  it('a stage variable that is not given is reported, not guessed', async () => {
    const imported = await runImportCommand('aws', 'aws-lambda-rest.json');
    const entry = imported.report.entries.find((e) => e.kind === 'unmapped' && e.path === '$.paths["/{proxy+}"]["x-amazon-apigateway-any-method"]["x-amazon-apigateway-integration"].uri');
    assert.match(entry?.message ?? '', /--stage-variables catchAllFunction=…/);
  });
});

describe('import --from openapi: a document written by gatehouse export', () => {
  // The x-gatehouse-* extensions as src/openapi-export (issue 18 item 5) writes them: the config's
  // entities as GET /config shows them, and each operation's route id.
  let first: TestGateway;
  let second: TestGateway;

  after(async () => {
    await first?.close();
    await second?.close();
  });

  it('rebuilds the same config, so export → import → export is stable', async () => {
    first = await startTestGateway({
      _format_version: '3.0',
      services: [{ name: 'pets', url: 'http://127.0.0.1:9/api', routes: [{ name: 'pet', paths: ['~/pets/(?<id>\\d+)$'], methods: ['GET'], plugins: [{ name: 'key-auth', config: { key_names: ['x-key'] } }] }] }],
      upstreams: [{ name: 'pool', targets: [{ target: '127.0.0.1:9' }] }],
      plugins: [{ name: 'cors', config: { origins: ['https://app.example'] } }],
    });
    const exported = await (await request(`${first.adminUrl}/config`)).body.json() as Record<string, any>;
    const document = {
      openapi: '3.1.0',
      info: { title: 'Gatehouse proxied API', version: '1' },
      servers: [{ url: first.url }],
      paths: { '/pets/{id}': { get: { operationId: 'pet.get', 'x-gatehouse-route': exported.routes[0].id, responses: { default: { description: 'upstream' } } }, options: { 'x-gatehouse-preflight': true, responses: {} } } },
      'x-gatehouse-format-version': exported._format_version,
      'x-gatehouse-services': exported.services,
      'x-gatehouse-upstreams': exported.upstreams,
      'x-gatehouse-routes': exported.routes,
      'x-gatehouse-plugins': exported.plugins,
    };
    const file = join(mkdtempSync(join(tmpdir(), 'gatehouse-export-')), 'exported.json');
    writeFileSync(file, JSON.stringify(document));
    const imported = await runImportCommand('openapi', file);
    assert.equal(imported.code, 0, imported.stderr);
    assert.equal(imported.report.summary.unmapped, 0);
    second = await startTestGateway(imported.yaml);
    const again = await (await request(`${second.adminUrl}/config`)).body.json() as Record<string, any>;
    for (const kind of ['services', 'routes', 'upstreams', 'plugins']) assert.deepEqual(again[kind], exported[kind], kind);
  });
});
