/**
 * Black-box: Lambda proxy APIs exported from API Gateway, imported with `gatehouse import --from aws`
 * and served: the aws_proxy routes become aws-lambda plugins that call a local Lambda-compatible
 * endpoint (which verifies every SigV4 signature), where an unchanged API Gateway handler answers —
 * binary body and multi-value headers included, for both payload versions.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { startLambdaEndpoint, type LambdaEndpoint } from '../plugins/aws-lambda/test/lambda-endpoint.js';
import { startTestGateway, type TestGateway } from './helpers/gateway.js';
import { pluginsNamed, runImportCommand } from './helpers/import.js';

const KEY = { id: 'AKIDIMPORTTEST00001', secret: 'import-test-secret-0123456789abcdef' };

interface AnyEvent {
  version?: string;
  path?: string;
  rawPath?: string;
  headers: Record<string, string>;
  multiValueHeaders?: Record<string, string[]>;
  pathParameters?: Record<string, string> | null;
  body?: string | null;
  isBase64Encoded: boolean;
}

/** A handler as written for API Gateway (either payload version), unchanged. */
async function handler(event: AnyEvent) {
  const body = event.body ? Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8') : Buffer.alloc(0);
  return {
    statusCode: 200,
    headers: { 'Content-Type': 'application/json' },
    multiValueHeaders: { 'X-Seen': ['one', 'two'] },
    body: JSON.stringify({
      version: event.version ?? '1.0',
      path: event.path ?? event.rawPath,
      tags: event.multiValueHeaders?.['X-Tag'] ?? event.headers['x-tag'],
      proxy: event.pathParameters?.proxy ?? null,
      base64: event.isBase64Encoded,
      sha256: createHash('sha256').update(body).digest('hex'),
    }),
  };
}

/** Points every imported aws-lambda plugin at the local endpoint, with test keys. */
function atEndpoint(config: unknown, lambda: LambdaEndpoint): unknown {
  for (const plugin of pluginsNamed(config, 'aws-lambda')) Object.assign(plugin.config, { host: lambda.host, port: lambda.port, disable_https: true, aws_key: KEY.id, aws_secret: KEY.secret });
  return config;
}

describe('import --from aws: Lambda proxy integrations served through aws-lambda', () => {
  let lambda: LambdaEndpoint;
  const gateways: TestGateway[] = [];

  before(async () => {
    const functions = Object.fromEntries(['GetStartedLambdaProxyIntegration', 'CatchAll', 'echo-v1', 'echo-v2'].map((name) => [name, { handler: handler as (event: unknown) => Promise<unknown>, aliases: { live: '7' } }]));
    lambda = await startLambdaEndpoint(functions, new Map([[KEY.id, { secretAccessKey: KEY.secret }]]));
  });
  after(async () => {
    for (const gw of gateways) await gw.close();
    await lambda?.close();
  });

  it('REST API (payload 1.0): the greedy {proxy+} route gets a binary body and multi-value headers, the qualified one its alias', async () => {
    const imported = await runImportCommand('aws', 'aws-lambda-rest.json', ['--stage-variables', 'catchAllFunction=CatchAll']);
    assert.equal(imported.code, 0, imported.stderr);
    const gw = await startTestGateway(atEndpoint(imported.config, lambda));
    gateways.push(gw);

    const hello = await request(`${gw.url}/test/hello`);
    assert.equal(hello.statusCode, 200);
    assert.equal(hello.headers['x-amz-executed-version'], '7');
    assert.deepEqual(hello.headers['x-seen'], ['one', 'two']);
    await hello.body.text();
    assert.equal(lambda.invoked.at(-1)!.name, 'GetStartedLambdaProxyIntegration');

    const bytes = randomBytes(3000);
    const res = await request(`${gw.url}/test/any/deep/path`, { method: 'POST', headers: ['content-type', 'application/octet-stream', 'X-Tag', 'a', 'X-Tag', 'b'], body: bytes });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(await res.body.json(), { version: '1.0', path: '/test/any/deep/path', tags: ['a', 'b'], proxy: 'any/deep/path', base64: true, sha256: createHash('sha256').update(bytes).digest('hex') });
    assert.equal(lambda.invoked.at(-1)!.name, 'CatchAll');
  });

  it('HTTP API: each route on its payload version', async () => {
    const imported = await runImportCommand('aws', 'aws-lambda-http-api.yaml');
    assert.equal(imported.code, 0, imported.stderr);
    const gw = await startTestGateway(atEndpoint(imported.config, lambda));
    gateways.push(gw);
    for (const [path, version, tags] of [['/v2/echo', '2.0', 'a,b'], ['/v1/echo', '1.0', ['a', 'b']]] as const) {
      const res = await request(`${gw.url}${path}`, { method: 'POST', headers: ['content-type', 'text/plain', 'X-Tag', 'a', 'X-Tag', 'b'], body: 'hello' });
      assert.equal(res.statusCode, 200, path);
      const seen = (await res.body.json()) as { version: string; tags: unknown; base64: boolean; sha256: string };
      assert.equal(seen.version, version, path);
      assert.deepEqual(seen.tags, tags, path);
      assert.equal(seen.base64, false, path);
      assert.equal(seen.sha256, createHash('sha256').update('hello').digest('hex'), path);
    }
  });
});
