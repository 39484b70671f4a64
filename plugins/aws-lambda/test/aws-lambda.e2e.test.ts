/**
 * Black-box: aws-lambda against a local Lambda-compatible endpoint that verifies every SigV4
 * signature with the AWS SDK's signer — API Gateway-style handlers run unchanged (payloads 1.0 and
 * 2.0, binary bodies, multi-value headers and query, cookies), qualifier, Event invocations,
 * credentials from the environment, Kong's own payload, and each failure as the contract's status.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { SignJWT } from 'jose';
import { request } from 'undici';
import { makeSigningKey, startJwksServer, type JwksServer, type SigningKey } from '../../../support/jwks-server.js';
import { freePort } from '../../../support/free-port.js';
import { eventually, startTestGateway, type TestGateway } from '../../../test/helpers/gateway.js';
import { handler as httpApiHandler } from './functions/http-api.js';
import { handler as restApiHandler } from './functions/rest-api.js';
import { startLambdaEndpoint, type LambdaEndpoint } from './lambda-endpoint.js';

const KEY = { id: 'AKIDGATEHOUSETEST01', secret: 'gatehouse-test-secret-0123456789abcdef' };
const ENV_KEY = { id: 'ASIAGATEHOUSEENV001', secret: 'gatehouse-env-secret-0123456789abcdef', token: 'session-token-from-the-environment' };

/** A forward proxy that tunnels CONNECT requests, as a corporate egress proxy does; it records each tunnel's target. */
async function startConnectProxy(): Promise<{ url: string; tunnels: string[]; server: Server }> {
  const tunnels: string[] = [];
  const server = createServer((_req, res) => res.writeHead(405).end());
  server.on('connect', (req, client, head) => {
    tunnels.push(req.url!);
    const [host, port] = req.url!.split(':');
    const upstream = connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client).pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, tunnels, server };
}

describe('aws-lambda', () => {
  let lambda: LambdaEndpoint;
  let gw: TestGateway;
  let proxy: Awaited<ReturnType<typeof startConnectProxy>>;
  let jwks: JwksServer;
  let signingKey: SigningKey;
  const savedEnv = { ...process.env };

  before(async () => {
    lambda = await startLambdaEndpoint(
      {
        'rest-api': { handler: restApiHandler as (event: unknown) => Promise<unknown> },
        'http-api': { handler: httpApiHandler as (event: unknown) => Promise<unknown>, aliases: { live: '3' } },
        echo: { handler: async (event) => event },
        slow: { handler: () => new Promise((resolve) => setTimeout(() => resolve({ statusCode: 200, body: 'late' }), 2000)) },
        busy: { handler: async () => ({}), throttled: true },
        empty: { handler: async () => ({ items: [], nested: { list: [], kept: [1] } }) },
        failing: { handler: async () => { throw new RangeError('out of range'); } },
      },
      new Map([
        [KEY.id, { secretAccessKey: KEY.secret }],
        [ENV_KEY.id, { secretAccessKey: ENV_KEY.secret, sessionToken: ENV_KEY.token }],
      ]),
    );
    // What a container role or `aws configure export-credentials` puts in the environment.
    process.env.AWS_ACCESS_KEY_ID = ENV_KEY.id;
    process.env.AWS_SECRET_ACCESS_KEY = ENV_KEY.secret;
    process.env.AWS_SESSION_TOKEN = ENV_KEY.token;
    const endpoint = { host: lambda.host, port: lambda.port, disable_https: true, aws_region: 'eu-west-1' };
    const keys = { aws_key: KEY.id, aws_secret: KEY.secret };
    const route = (name: string, paths: string[], config: Record<string, unknown>) => ({ name, paths, plugins: [{ name: 'aws-lambda', config: { ...endpoint, ...config } }] });
    const closedPort = await freePort();
    proxy = await startConnectProxy();
    jwks = await startJwksServer();
    signingKey = await makeSigningKey('RS256', 'k1');
    jwks.sets.set('/jwks.json', [signingKey.jwk]);
    gw = await startTestGateway({
      _format_version: '3.0',
      consumers: [{ username: 'alice', keyauth_credentials: [{ key: 'alice-key-0123456789' }] }],
      routes: [
        route('pets', ['~/pets/(?<petId>\\d+)$'], { ...keys, function_name: 'rest-api', awsgateway_compatible: true }),
        route('v2', ['/v2'], { ...keys, function_name: 'http-api', qualifier: 'live', awsgateway_compatible: true, awsgateway_compatible_payload_version: '2.0' }),
        route('env-creds', ['/env'], { function_name: 'echo' }),
        route('event', ['/event'], { ...keys, function_name: 'echo', invocation_type: 'Event', awsgateway_compatible: true }),
        route('kong', ['/kong'], { ...keys, function_name: 'echo', forward_request_method: true, forward_request_uri: true, forward_request_headers: true, forward_request_body: true }),
        route('bad-secret', ['/bad-secret'], { aws_key: KEY.id, aws_secret: 'not-the-secret-0123456789', function_name: 'echo' }),
        route('missing', ['/missing'], { ...keys, function_name: 'no-such-function' }),
        route('busy', ['/busy'], { ...keys, function_name: 'busy' }),
        route('slow', ['/slow'], { ...keys, function_name: 'slow', timeout: 300 }),
        route('down', ['/down'], { ...keys, function_name: 'echo', host: '127.0.0.1', port: closedPort }),
        {
          name: 'jwt-v2',
          paths: ['/claims-v2'],
          plugins: [
            { name: 'jwt', config: { jwks_uri: `${jwks.url}/jwks.json`, issuer: 'https://issuer.test', allowed_algorithms: ['RS256'] } },
            { name: 'aws-lambda', config: { ...endpoint, ...keys, function_name: 'echo', awsgateway_compatible: true, awsgateway_compatible_payload_version: '2.0' } },
          ],
        },
        {
          name: 'key-v1',
          paths: ['/claims-v1'],
          plugins: [
            { name: 'key-auth', config: {} },
            { name: 'aws-lambda', config: { ...endpoint, ...keys, function_name: 'echo', awsgateway_compatible: true } },
          ],
        },
        route('via-proxy', ['/via-proxy'], { ...keys, function_name: 'echo', proxy_url: proxy.url }),
        route('legacy', ['/legacy'], { ...keys, function_name: 'empty', empty_arrays_mode: 'legacy' }),
        route('correct', ['/correct'], { ...keys, function_name: 'empty' }),
        route('unhandled', ['/unhandled'], { ...keys, function_name: 'failing', unhandled_status: 418 }),
        route('dry-run', ['/dry-run'], { ...keys, function_name: 'echo', invocation_type: 'DryRun' }),
        // A decK dump writes every option, unset ones as null.
        route('deck', ['/deck'], { ...keys, function_name: 'echo', qualifier: null, unhandled_status: null, proxy_url: null, aws_assume_role_arn: null, aws_sts_endpoint_url: null, skip_large_bodies: true, aws_imds_protocol_version: 'v1', base64_encode_body: true }),
      ],
    });
  });
  after(async () => {
    process.env = savedEnv;
    await gw?.close();
    await lambda?.close();
    proxy?.server.close();
    await jwks?.close();
  });

  const lastEvent = (name: string) => lambda.invoked.filter((call) => call.name === name).at(-1)!;
  const accessLine = (requestId: string) => eventually(() => gw.accessLogs().find((line) => line.request_id === requestId), `access log of ${requestId}`);

  it('runs a REST API (payload 1.0) handler unchanged: binary body, multi-value headers and query, path parameters', async () => {
    const bytes = randomBytes(4096);
    const res = await request(`${gw.url}/pets/42?color=red&color=blue`, {
      method: 'POST',
      headers: ['content-type', 'application/octet-stream', 'X-Tag', 'a', 'X-Tag', 'b', 'cookie', 'k=v'],
      body: bytes,
    });
    const text = await res.body.text();
    assert.equal(res.statusCode, 201, text);
    assert.deepEqual(res.headers['set-cookie'], ['session=abc; Path=/; HttpOnly', 'theme=dark; Path=/']);
    assert.equal(res.headers['x-powered-by'], 'lambda');
    const seen = JSON.parse(text) as Record<string, unknown>;
    assert.equal(seen.pet, '42');
    assert.deepEqual(seen.tags, ['a', 'b']);
    assert.equal(seen.lastTag, 'b');
    assert.deepEqual(seen.colors, ['red', 'blue']);
    assert.equal(seen.color, 'blue');
    assert.equal(seen.base64, true);
    assert.equal(seen.sha256, (await import('node:crypto')).createHash('sha256').update(bytes).digest('hex'));
    assert.equal(seen.requestId, res.headers['x-request-id']);

    const event = lastEvent('rest-api').event as Record<string, unknown>;
    assert.equal(event.resource, '/pets/{petId}');
    assert.equal(event.path, '/pets/42');
    assert.equal(event.httpMethod, 'POST');
    assert.deepEqual(event.pathParameters, { petId: '42' });
    assert.deepEqual(event.multiValueQueryStringParameters, { color: ['red', 'blue'] });
    assert.equal(event.stageVariables, null);
    assert.equal((event.requestContext as { identity: { sourceIp: string } }).identity.sourceIp, '127.0.0.1');
    assert.equal((event.headers as Record<string, string>)['x-forwarded-proto'], 'http');
    assert.equal(lastEvent('rest-api').accessKeyId, KEY.id);
    assert.equal(lastEvent('rest-api').logType, 'Tail');

    const binary = randomBytes(2048);
    const put = await request(`${gw.url}/pets/7`, { method: 'PUT', headers: { 'content-type': 'image/png' }, body: binary });
    assert.equal(put.statusCode, 200);
    assert.equal(put.headers['content-type'], 'image/png');
    assert.deepEqual(Buffer.from(await put.body.arrayBuffer()), Buffer.from(binary).reverse());
  });

  it('runs an HTTP API (payload 2.0) handler unchanged, on the qualifier asked for: cookies, rawQueryString, text and binary bodies', async () => {
    const res = await request(`${gw.url}/v2/items?a=1&a=2&b=x%20y`, {
      method: 'POST',
      headers: ['content-type', 'application/json', 'cookie', 'one=1; two=2', 'x-tag', 'a', 'x-tag', 'b'],
      body: '{"name":"widget"}',
    });
    const text = await res.body.text();
    assert.equal(res.statusCode, 200, text);
    assert.deepEqual(res.headers['set-cookie'], ['visited=yes; Path=/', 'count=2; Path=/']);
    assert.equal(res.headers['x-seen-tags'], 'a,b');
    assert.equal(res.headers['x-amz-executed-version'], '3');
    assert.deepEqual(JSON.parse(text), { cookies: ['one=1', 'two=2'], raw: 'a=1&a=2&b=x%20y', query: { a: '1,2', b: 'x y' }, body: '{"name":"widget"}', base64: false });
    const call = lastEvent('http-api');
    assert.equal(call.qualifier, 'live');
    const event = call.event as Record<string, unknown>;
    assert.equal(event.version, '2.0');
    assert.equal(event.rawPath, '/v2/items');
    assert.equal((event.headers as Record<string, string>).cookie, undefined);

    const binary = await request(`${gw.url}/v2/upload`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: Buffer.from([0, 255, 1, 254]) });
    assert.equal((JSON.parse(await binary.body.text()) as { body: string; base64: boolean }).body, '00ff01fe');

    const plain = await request(`${gw.url}/v2/plain`);
    assert.equal(plain.statusCode, 200);
    assert.match(String(plain.headers['content-type']), /application\/json/);
    assert.deepEqual(await plain.body.json(), { hello: 'world', method: 'GET' });
  });

  it('signs with credentials from the environment (key, secret and session token) when the plugin has none', async () => {
    const res = await request(`${gw.url}/env/x`);
    const text = await res.body.text();
    assert.equal(res.statusCode, 200, `${text} ${JSON.stringify(gw.accessLogs().at(-1))}`);
    const call = lastEvent('echo');
    assert.equal(call.accessKeyId, ENV_KEY.id);
    assert.equal(call.sessionToken, ENV_KEY.token);
  });

  it('queues an Event invocation and answers 202 at once', async () => {
    const before = lambda.invoked.length;
    const res = await request(`${gw.url}/event`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'fire and forget' });
    assert.equal(res.statusCode, 202);
    assert.equal(await res.body.text(), '');
    const call = lambda.invoked.slice(before).find((c) => c.name === 'echo')!;
    assert.equal(call.invocationType, 'Event');
    assert.equal((call.event as { body: string }).body, 'fire and forget');
  });

  it("sends Kong's own payload with the forward_request_* options and answers with the function's result", async () => {
    const res = await request(`${gw.url}/kong/a?x=1&x=2`, { method: 'PATCH', headers: { 'content-type': 'application/json', 'x-one': '1' }, body: '{"k":"v"}' });
    assert.equal(res.statusCode, 200);
    const payload = (await res.body.json()) as Record<string, unknown>;
    assert.equal(payload.request_method, 'PATCH');
    assert.equal(payload.request_uri, '/kong/a?x=1&x=2');
    assert.deepEqual(payload.request_uri_args, { x: ['1', '2'] });
    assert.equal((payload.request_headers as Record<string, string>)['x-one'], '1');
    assert.equal(payload.request_body, Buffer.from('{"k":"v"}').toString('base64'));
    assert.equal(payload.request_body_base64, true);
    assert.deepEqual(payload.request_body_args, { k: 'v' });
  });

  it("hands the function what authenticated the request, as API Gateway's authorizers do: JWT claims and scopes, the consumer", async () => {
    const token = await new SignJWT({ scope: 'pets/read pets/write', 'cognito:groups': ['admin', 'ops'] })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setIssuer('https://issuer.test')
      .setSubject('user-7')
      .setExpirationTime('5m')
      .sign(signingKey.privateKey);
    const v2 = await request(`${gw.url}/claims-v2`, { headers: { authorization: `Bearer ${token}` } });
    // Payload 2.0 takes an answer without statusCode as a 200 JSON body: here, the event itself.
    assert.equal(v2.statusCode, 200);
    assert.equal(((await v2.body.json()) as { rawPath: string }).rawPath, '/claims-v2');
    const authorizer = (lastEvent('echo').event as { requestContext: { authorizer: { jwt: { claims: Record<string, string>; scopes: string[] } } } }).requestContext.authorizer;
    assert.equal(authorizer.jwt.claims.sub, 'user-7');
    assert.equal(authorizer.jwt.claims['cognito:groups'], '[admin ops]');
    assert.deepEqual(authorizer.jwt.scopes, ['pets/read', 'pets/write']);

    const forged = await request(`${gw.url}/claims-v1`, { headers: { apikey: 'alice-key-0123456789', 'x-consumer-username': 'mallory' } });
    await forged.body.text();
    const event = lastEvent('echo').event as { headers: Record<string, string>; requestContext: { authorizer: { principalId: string } } };
    assert.equal(event.requestContext.authorizer.principalId, 'alice');
    assert.equal(event.headers['x-consumer-username'], 'alice');
    assert.equal(Object.keys(event.headers).filter((name) => name.toLowerCase() === 'x-consumer-username').length, 1);
    assert.equal(event.headers.apikey, 'alice-key-0123456789');
  });

  it("goes through proxy_url, answers DryRun with 204, unhandled_status with the function's error, and legacy empty arrays as {}", async () => {
    const proxied = await request(`${gw.url}/via-proxy?a=1`);
    assert.equal(proxied.statusCode, 200);
    assert.deepEqual(await proxied.body.json(), { a: '1' });
    assert.deepEqual(proxy.tunnels, [`${lambda.host}:${lambda.port}`]);

    const dryRun = await request(`${gw.url}/dry-run`);
    assert.equal(dryRun.statusCode, 204);
    await dryRun.body.text();

    const unhandled = await request(`${gw.url}/unhandled`);
    assert.equal(unhandled.statusCode, 418);
    assert.deepEqual(((await unhandled.body.json()) as { errorType: string; errorMessage: string }).errorMessage, 'out of range');

    const legacy = await request(`${gw.url}/legacy`);
    assert.deepEqual(await legacy.body.json(), { items: {}, nested: { list: {}, kept: [1] } });
    const correct = await request(`${gw.url}/correct`);
    assert.deepEqual(await correct.body.json(), { items: [], nested: { list: [], kept: [1] } });

    const deck = await request(`${gw.url}/deck`);
    assert.equal(deck.statusCode, 200);
    await deck.body.text();
  });

  it('maps failures to the contract: bad signature and unknown function 502, throttled 503, timeout 504, unreachable 502, function error 502', async () => {
    const cases: Array<[string, number, string, RegExp]> = [
      ['/bad-secret', 502, 'upstream_unavailable', /403 InvalidSignatureException: .*signature does not match/],
      ['/missing', 502, 'upstream_unavailable', /404 ResourceNotFoundException: Function not found: no-such-function/],
      ['/busy', 503, 'service_unavailable', /429 TooManyRequestsException: Rate Exceeded/],
      ['/slow', 504, 'upstream_timeout', /UND_ERR_HEADERS_TIMEOUT \(timeout 300ms\)/],
      ['/down', 502, 'upstream_unavailable', /ECONNREFUSED/],
      ['/pets/0', 502, 'upstream_invalid_response', /function error \(Unhandled\) TypeError: pet 0 does not exist/],
    ];
    for (const [path, status, error, cause] of cases) {
      const res = await request(`${gw.url}${path}`);
      const body = (await res.body.json()) as { error: string; request_id: string };
      assert.equal(res.statusCode, status, path);
      assert.equal(body.error, error, path);
      const line = await accessLine(body.request_id);
      assert.match(String(line.cause), cause, path);
    }
    assert.ok(lambda.refused.includes('signature does not match'));
    // Over Lambda's 6 MB payload limit: refused before anything is invoked.
    const invokedBefore = lambda.invoked.length;
    const tooLarge = await request(`${gw.url}/pets/1`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: Buffer.alloc(6 * 1024 * 1024 + 1) });
    assert.equal(tooLarge.statusCode, 413);
    assert.equal(((await tooLarge.body.json()) as { error: string }).error, 'body_too_large');
    assert.equal(lambda.invoked.length, invokedBefore);
    const warning = gw.logs.find((line) => line.msg === 'aws-lambda: the function failed' && String(line.cause).includes('pet 0'));
    assert.match(String(warning?.log_tail), /ERROR TypeError: pet 0 does not exist/);
  });
});
