/**
 * Black-box: `gatehouse export --format openapi` against a running gateway — the document passes
 * @apidevtools/swagger-parser's validation, says what the config says (paths and parameters from
 * regex named groups, security from the auth plugins, CORS, rate-limit headers and 429, servers from
 * the listeners and route hosts, the x-gatehouse-* extensions), and a TypeScript client generated from
 * it with openapi-typescript and openapi-fetch compiles with tsc (a call to a path the API does not
 * have does not) and calls the gateway successfully.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import SwaggerParser from '@apidevtools/swagger-parser';
import { parse } from 'yaml';
import { startTestGateway, type TestGateway } from './helpers/gateway.js';
import { runImportCommand } from './helpers/import.js';
import { startUpstream, type TestUpstream } from './helpers/upstream.js';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '..');
const BIN = join(ROOT, 'node_modules', '.bin');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

async function gatehouse(args: string[]): Promise<Run> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], { cwd: ROOT });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
  const code = await new Promise<number | null>((done) => child.on('close', done));
  return { code, stdout, stderr };
}

type Doc = {
  openapi: string;
  servers: Array<{ url: string }>;
  paths: Record<string, Record<string, Record<string, unknown>>>;
  components: { securitySchemes: Record<string, Record<string, unknown>> };
  [extension: `x-${string}`]: unknown;
};

const CLIENT = `
import createClient from 'openapi-fetch';
import type { paths } from './schema.js';

const client = createClient<paths>({ baseUrl: process.argv[2] });
const headers = { apikey: 'alice-key' };
const list = await client.GET('/pets', { headers });
const one = await client.GET('/pets/{petId}', { params: { path: { petId: '42' }, header: { 'x-api-version': '2' } }, headers });
const created = await client.POST('/pets', { body: { name: 'rex' }, headers });
const denied = await client.GET('/pets');
console.log(JSON.stringify({
  list: [list.response.status, list.data],
  one: [one.response.status, one.data],
  created: [created.response.status, created.data],
  denied: [denied.response.status, denied.error],
}));
`;

const WRONG_CLIENT = `
import createClient from 'openapi-fetch';
import type { paths } from './schema.js';

const client = createClient<paths>({ baseUrl: 'http://localhost' });
await client.GET('/no-such-path');
await client.GET('/pets/{petId}', { params: { path: { petId: '1' }, header: { 'x-api-version': '3' } } });
`;

/** The gateway's config, in front of the upstream at `upstreamUrl`. */
const config = (upstreamUrl: string) => ({
  _format_version: '3.0',
  services: [
    {
      name: 'petstore',
      url: `${upstreamUrl}/v1`,
      routes: [
        { name: 'pets', paths: ['/pets'], methods: ['GET', 'POST'], strip_path: false },
        { name: 'pet', paths: ['~/pets/(?<petId>\\d+)$'], methods: ['GET'], strip_path: false, headers: { 'x-api-version': ['2'] } },
        { name: 'legacy', paths: ['~/legacy/.*\\.php$'] },
        { name: 'partner', paths: ['/partner'], hosts: ['api.example.test', '*.partners.example.test'], methods: ['GET'], plugins: [{ name: 'basic-auth' }] },
        {
          name: 'staff',
          paths: ['/staff'],
          methods: ['GET'],
          plugins: [{ name: 'jwt', config: { cognito: { region: 'eu-west-1', user_pool_id: 'eu-west-1_AbC123', client_ids: ['app'] }, allowed_algorithms: ['RS256'], required_scopes: ['staff/read'] } }],
        },
      ],
      plugins: [
        { name: 'key-auth', config: { key_names: ['apikey'] } },
        { name: 'rate-limiting', config: { minute: 1000, hour: 10000 } },
      ],
    },
  ],
  consumers: [{ username: 'alice', keyauth_credentials: [{ key: 'alice-key' }] }],
  plugins: [{ name: 'cors', config: { origins: ['https://app.example.test'], credentials: true, max_age: 600 } }],
});

describe('gatehouse export --format openapi', () => {
  let upstream: TestUpstream;
  let gw: TestGateway;
  let doc: Doc;
  let exportedText: string;
  let work: string;

  before(async () => {
    upstream = await startUpstream();
    gw = await startTestGateway(config(upstream.url));
    const exported = await gatehouse(['export', '--format', 'openapi', '--admin-url', gw.adminUrl]);
    assert.equal(exported.code, 0, exported.stderr);
    exportedText = exported.stdout;
    doc = parse(exported.stdout) as Doc;
    await mkdir(join(ROOT, 'node_modules', '.cache'), { recursive: true });
    // Inside the project, so the generated client resolves openapi-fetch from its node_modules.
    work = await mkdtemp(join(ROOT, 'node_modules', '.cache', 'openapi-client-'));
    await writeFile(join(work, 'openapi.json'), JSON.stringify(doc));
  });
  after(async () => {
    await gw?.close();
    await upstream?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('passes swagger-parser validation as OpenAPI 3.1', async () => {
    assert.equal(doc.openapi, '3.1.0');
    await SwaggerParser.validate(structuredClone(doc) as never);
  });

  it('is the same text when the same config is exported again as a later config version', async () => {
    await gw.gateway.reload();
    assert.equal(gw.gateway.runtime.version, 2);
    const again = await gatehouse(['export', '--format', 'openapi', '--admin-url', gw.adminUrl]);
    assert.equal(again.stdout, exportedText);
  });

  it('describes routes, methods and path parameters from regex named groups, and header conditions', () => {
    assert.deepEqual(Object.keys(doc.paths['/pets']!).sort(), ['get', 'options', 'post']);
    const get = doc.paths['/pets/{petId}']!.get as { parameters: Array<Record<string, unknown>>; 'x-gatehouse-route': string };
    assert.deepEqual(get.parameters, [
      { name: 'petId', in: 'path', required: true, schema: { type: 'string', pattern: '^\\d+$' } },
      { name: 'x-api-version', in: 'header', required: true, schema: { type: 'string', enum: ['2'] } },
    ]);
    const routes = doc['x-gatehouse-routes'] as Array<{ id: string; name: string; paths: string[] }>;
    assert.equal(routes.find((route) => route.id === get['x-gatehouse-route'])?.name, 'pet');
    // A regex OpenAPI cannot express is not a path, but the extension keeps the route.
    assert.ok(!Object.keys(doc.paths).some((path) => path.includes('legacy')));
    assert.deepEqual(routes.find((route) => route.name === 'legacy')?.paths, ['~/legacy/.*\\.php$']);
    assert.deepEqual((doc['x-gatehouse-services'] as Array<{ name: string }>).map((service) => service.name), ['petstore']);
    assert.deepEqual((doc['x-gatehouse-plugins'] as Array<{ name: string }>).map((plugin) => plugin.name).sort(), ['basic-auth', 'cors', 'jwt', 'key-auth', 'rate-limiting']);
  });

  it('is the same text after export → gatehouse import --from openapi → load → export', async () => {
    const file = join(work, 'exported.yaml');
    await writeFile(file, exportedText);
    const imported = await runImportCommand('openapi', file);
    assert.equal(imported.code, 0, imported.stderr);
    assert.equal(imported.report.summary.unmapped, 0, JSON.stringify(imported.report.entries));
    await gw.writeConfig(imported.yaml);
    await gw.gateway.reload();
    try {
      const again = await gatehouse(['export', '--format', 'openapi', '--admin-url', gw.adminUrl]);
      const reexported = parse(again.stdout) as Doc;
      for (const key of ['x-gatehouse-services', 'x-gatehouse-routes', 'x-gatehouse-plugins', 'x-gatehouse-upstreams'] as const) assert.deepEqual(reexported[key], doc[key], key);
      assert.equal(again.stdout, exportedText);
    } finally {
      // The consumers (not part of an API description) come back with the original file.
      await gw.writeConfig(config(upstream.url));
      await gw.gateway.reload();
    }
  });

  it('derives security schemes and per-operation security from the auth plugins', () => {
    const schemes = doc.components.securitySchemes;
    assert.deepEqual(schemes['key-auth.header.apikey'], { type: 'apiKey', in: 'header', name: 'apikey' });
    assert.deepEqual(schemes['key-auth.query.apikey'], { type: 'apiKey', in: 'query', name: 'apikey' });
    assert.deepEqual(schemes['basic-auth'], { type: 'http', scheme: 'basic' });
    const oidc = Object.entries(schemes).find(([, scheme]) => scheme.type === 'openIdConnect');
    assert.equal(oidc?.[1].openIdConnectUrl, 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123/.well-known/openid-configuration');
    assert.deepEqual(doc.paths['/pets']!.get!.security, [{ 'key-auth.header.apikey': [] }, { 'key-auth.query.apikey': [] }]);
    // The route's basic-auth and the service's key-auth must both pass.
    assert.deepEqual(doc.paths['/partner']!.get!.security, [
      { 'key-auth.header.apikey': [], 'basic-auth': [] },
      { 'key-auth.query.apikey': [], 'basic-auth': [] },
    ]);
    const staff = doc.paths['/staff']!.get!.security as Array<Record<string, string[]>>;
    const withOidc = staff.filter((requirement) => requirement[oidc![0]] !== undefined);
    assert.ok(withOidc.length > 0 && withOidc.every((requirement) => JSON.stringify(requirement[oidc![0]]) === '["staff/read"]'), JSON.stringify(staff));
    assert.ok((doc.paths['/staff']!.get!.responses as Record<string, unknown>)['403']);
  });

  it('documents CORS, rate-limit headers and the 429, and servers from listeners and route hosts', () => {
    const responses = doc.paths['/pets']!.get!.responses as Record<string, { headers: Record<string, unknown> }>;
    for (const header of ['X-RateLimit-Limit-Minute', 'X-RateLimit-Remaining-Hour', 'RateLimit-Reset', 'Access-Control-Allow-Origin', 'Access-Control-Allow-Credentials']) {
      assert.ok(responses.default!.headers[header], header);
    }
    assert.ok(responses['429']!.headers['Retry-After']);
    const preflight = doc.paths['/pets']!.options as { 'x-gatehouse-preflight': boolean; responses: Record<string, { headers: Record<string, unknown> }> };
    assert.equal(preflight['x-gatehouse-preflight'], true);
    assert.ok(preflight.responses['200']!.headers['Access-Control-Max-Age']);

    assert.deepEqual(doc.servers, [{ url: gw.url }]);
    const port = new URL(gw.url).port;
    assert.deepEqual(doc.paths['/partner']!.get!.servers, [
      { url: `http://api.example.test:${port}` },
      { url: `http://{subdomain}.partners.example.test:${port}`, variables: { subdomain: { default: 'www' } } },
    ]);
  });

  it('generates a TypeScript client (openapi-typescript + openapi-fetch) that compiles and calls the gateway', async () => {
    await run(join(BIN, 'openapi-typescript'), [join(work, 'openapi.json'), '-o', join(work, 'schema.d.ts')]);
    await writeFile(join(work, 'client.ts'), CLIENT);
    await writeFile(join(work, 'wrong.ts'), WRONG_CLIENT);
    const compilerOptions = { strict: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', skipLibCheck: true, outDir: 'out', types: ['node'], typeRoots: [join(ROOT, 'node_modules', '@types')] };
    await writeFile(join(work, 'package.json'), JSON.stringify({ type: 'module' }));
    await writeFile(join(work, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['client.ts'] }));
    await writeFile(join(work, 'tsconfig.wrong.json'), JSON.stringify({ compilerOptions: { ...compilerOptions, noEmit: true }, files: ['wrong.ts'] }));
    await run(join(BIN, 'tsc'), ['-p', join(work, 'tsconfig.json')]);
    // The types are the API's: a path it does not have, or a header value its route does not take, does not compile.
    const wrong = await run(join(BIN, 'tsc'), ['-p', join(work, 'tsconfig.wrong.json')]).then(
      () => '',
      (error: { stdout: string }) => error.stdout,
    );
    assert.match(wrong, /wrong\.ts\(6,\d+\): error/);
    assert.match(wrong, /wrong\.ts\(7,\d+\): error .*'"3"' is not assignable to type '"2"'/);

    const seenBefore = upstream.seen.length;
    const { stdout } = await run(process.execPath, [join(work, 'out', 'client.js'), gw.url]);
    const result = JSON.parse(stdout) as Record<string, [number, { url?: string; method?: string; error?: string }]>;
    assert.equal(result.list![0], 200);
    assert.equal(result.list![1].url, '/v1/pets');
    assert.equal(result.one![0], 200);
    assert.equal(result.one![1].url, '/v1/pets/42');
    assert.equal(result.created![0], 200);
    assert.equal(result.created![1].method, 'POST');
    assert.equal(result.denied![0], 401);
    assert.equal(result.denied![1].error, 'unauthorized');
    assert.equal(upstream.seen.length, seenBefore + 3);
  });
});
