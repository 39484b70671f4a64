/**
 * Black-box: `gatehouse diff`, `apply` and `export` against a running gateway's admin API (Redis mode,
 * with a token), through the real CLI process and the real HTTP stack.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { adminClient } from './helpers/admin.js';
import { startTestGateway, type TestGateway } from './helpers/gateway.js';
import { startTestRedis, type TestRedis } from '../support/redis.js';

const TOKEN = 'cli-token-long-enough';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

async function gatehouse(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], { env: { ...process.env, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { code, stdout, stderr };
}

describe('gatehouse diff / apply / export', () => {
  let redis: TestRedis;
  let gw: TestGateway;
  let dir: string;

  before(async () => {
    redis = await startTestRedis();
    dir = await mkdtemp(join(tmpdir(), 'gatehouse-cli-'));
    gw = await startTestGateway(
      { _format_version: '3.0', services: [{ name: 'old', url: 'http://127.0.0.1:9', routes: [{ name: 'old', paths: ['/old'] }] }] },
      { REDIS_URL: redis.url, SNAPSHOT: join(dir, 'snapshot.json'), ADMIN_TOKEN: TOKEN },
    );
  });
  after(async () => {
    await gw.close();
    await redis.close();
  });

  const file = async (name: string, document: unknown) => {
    const path = join(dir, name);
    await writeFile(path, typeof document === 'string' ? document : JSON.stringify(document));
    return path;
  };
  const target = {
    _format_version: '3.0',
    services: [{ name: 'orders', url: 'http://127.0.0.1:9/v1', routes: [{ name: 'orders', paths: ['/orders', '~/items/\\d+$'], methods: ['GET', 'POST'] }] }],
    consumers: [{ username: 'alice', keyauth_credentials: [{ key: 'alice-key' }] }],
  };

  it('diff shows what would change and changes nothing', async () => {
    const path = await file('target.json', target);
    const run = await gatehouse(['diff', path, '--admin-url', gw.adminUrl], { GATEHOUSE_ADMIN_TOKEN: TOKEN });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^creating service orders$/m);
    assert.match(run.stdout, /^creating consumer alice$/m);
    assert.match(run.stdout, /^deleting route old$/m);
    assert.match(run.stdout, /Summary: created 3, updated 0, deleted 2/);
    assert.equal((await adminClient(gw.adminUrl, TOKEN)('GET', '/status')).body.config_version, 1);
  });

  it('apply stores the file as one version; applying it again changes nothing', async () => {
    const path = await file('target.json', target);
    const run = await gatehouse(['apply', path, '--admin-url', gw.adminUrl, '--token', TOKEN]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /applied as config version 2/);
    const again = await gatehouse(['apply', path, '--admin-url', gw.adminUrl, '--token', TOKEN]);
    assert.match(again.stdout, /Summary: created 0, updated 0, deleted 0/);
    assert.match(again.stdout, /nothing to apply; config version 2 stays/);
  });

  it('apply reports every field error of an invalid file and exits 1', async () => {
    const path = await file('bad.yaml', '_format_version: "3.0"\nservices:\n  - name: s\n    url: ftp://x\n    routes: [{ name: r, paths: [nope] }]\n');
    const run = await gatehouse(['apply', path, '--admin-url', gw.adminUrl, '--token', TOKEN]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /services\[0\]\.url: invalid url/);
    assert.match(run.stderr, /services\[0\]\.routes\[0\]\.paths\[0\]: should start with/);
    const wrongToken = await gatehouse(['diff', path, '--admin-url', gw.adminUrl, '--token', 'nope']);
    assert.equal(wrongToken.code, 1);
    assert.match(wrongToken.stderr, /401/);
  });

  it('export writes the running config as YAML that applies back unchanged, or routes as OpenAPI', async () => {
    const run = await gatehouse(['export', '--admin-url', gw.adminUrl, '--token', TOKEN]);
    assert.equal(run.code, 0, run.stderr);
    const exported = parse(run.stdout) as { services: { name: string }[]; consumers: { keyauth_credentials: { key: string }[] }[] };
    assert.deepEqual(exported.services.map((s) => s.name), ['orders']);
    assert.match(exported.consumers[0]!.keyauth_credentials[0]!.key, /^sha256:/);
    const diff = await gatehouse(['diff', await file('exported.yaml', run.stdout), '--admin-url', gw.adminUrl, '--token', TOKEN]);
    assert.match(diff.stdout, /Summary: created 0, updated 0, deleted 0/);

    const openapi = await gatehouse(['export', '--format', 'openapi', '--admin-url', gw.adminUrl, '--token', TOKEN]);
    const doc = parse(openapi.stdout) as { openapi: string; paths: Record<string, Record<string, unknown>>; 'x-gatehouse-routes': Array<{ paths: string[] }> };
    assert.equal(doc.openapi, '3.1.0');
    assert.deepEqual(Object.keys(doc.paths['/orders']!).sort(), ['get', 'post']);
    // A regex without named groups is no OpenAPI path; the route is kept in the extension.
    assert.deepEqual(doc['x-gatehouse-routes'][0]!.paths, ['/orders', '~/items/\\d+$']);
  });
});
