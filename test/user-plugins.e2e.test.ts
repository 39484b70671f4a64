/**
 * Black-box: users' own plugins through GATEHOUSE_PLUGINS — the example plugin of plugins/README.md,
 * loaded from its file by a real `gatehouse start` beside the bundled plugins, and every way a bad
 * entry stops the start (or `validate`) with one line.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { at } from './helpers/at.js';
import { runCli, startCli, type StartedCli } from './helpers/cli.js';
import { writeTempConfig } from './helpers/gateway.js';
import { startUpstream, type TestUpstream } from './helpers/upstream.js';

/** The example, as a user names it: relative to the working directory (the CLI runs in the repository root). */
const EXAMPLE = 'examples/plugins/api-version/index.js';
const WITH_EXAMPLE = { PLUGINS: `bundled,${EXAMPLE}` };
const KEY = 'user-plugin-key-0123456789';

interface Echo {
  headers: Record<string, string | undefined>;
}

describe("users' own plugins", () => {
  let upstream: TestUpstream;
  let gw: StartedCli;

  before(async () => {
    upstream = await startUpstream();
    gw = await startCli(
      {
        _format_version: '3.0',
        consumers: [{ username: 'alice', keyauth_credentials: [{ key: KEY }] }],
        services: [
          {
            name: 'echo',
            url: upstream.url,
            routes: [
              { name: 'versioned', paths: ['/versioned'], plugins: [{ name: 'api-version', config: { versions: ['1', '2'], default_version: '2' } }] },
              { name: 'strict', paths: ['/strict'], plugins: [{ name: 'key-auth' }, { name: 'api-version', config: { versions: ['1'] } }] },
            ],
          },
        ],
      },
      { settings: WITH_EXAMPLE },
    );
  });
  after(async () => {
    await gw.cli.stop();
    await upstream.close();
  });

  async function call(path: string, headers: Record<string, string> = {}) {
    const res = await request(`${gw.proxyUrl}${path}`, { headers });
    return { status: res.statusCode, headers: res.headers, body: (await res.body.json()) as Echo & Record<string, unknown> };
  }

  it('runs the example from its file: the upstream and the client get the version, the access log has it', async () => {
    const byDefault = await call('/versioned');
    assert.equal(byDefault.status, 200);
    assert.equal(byDefault.body.headers['x-api-version'], '2');
    assert.equal(byDefault.headers['x-api-version'], '2');

    const asked = await call('/versioned', { 'x-api-version': '1', 'x-request-id': 'asked-for-v1' });
    assert.equal(asked.status, 200);
    assert.equal(asked.body.headers['x-api-version'], '1');
    assert.equal(asked.headers['x-api-version'], '1');
    const line = await gw.cli.waitForLog((entry) => entry.request_id === 'asked-for-v1', 'the access line of the v1 request');
    assert.equal(line.api_version, '1');
  });

  it("answers a version the route does not serve with the plugin's own body, without proxying", async () => {
    const before = upstream.seen.length;
    const res = await call('/versioned', { 'x-api-version': '3' });
    assert.equal(res.status, 400);
    assert.deepEqual(res.body, { message: 'API version "3" is not served here', versions: ['1', '2'] });
    assert.equal(upstream.seen.length, before);
  });

  it('runs after the bundled auth plugin on the same route, and answers the contract error when no version is named', async () => {
    assert.equal((await call('/strict', { 'x-api-version': '1' })).status, 401);
    const missing = await call('/strict', { apikey: KEY });
    assert.equal(missing.status, 400);
    assert.equal(missing.body.error, 'bad_request');
    assert.equal(missing.body.message, 'X-Api-Version is required');
    assert.equal(missing.body.request_id, missing.headers['x-request-id']);
    const served = await call('/strict', { apikey: KEY, 'x-api-version': '1' });
    assert.equal(served.status, 200);
    assert.equal(served.body.headers['x-consumer-username'], 'alice');
  });

  it('counts requests per version in its own metric on the admin /metrics', async () => {
    await call('/versioned', { 'x-api-version': '1' });
    const res = await request(`${gw.adminUrl}/metrics`);
    const text = await res.body.text();
    const sample = /^gatehouse_api_version_requests_total\{version="1"\} (\d+)$/m.exec(text);
    assert.ok(sample, text);
    assert.ok(Number(sample[1]) >= 1);
  });

  it('serves its config schema, with descriptions, on the admin API', async () => {
    const res = await request(`${gw.adminUrl}/schemas/plugins/api-version`);
    assert.equal(res.statusCode, 200);
    const body = (await res.body.json()) as { priority: number; schema: { properties: Record<string, { description?: string }> } };
    assert.equal(body.priority, 850);
    assert.match(body.schema.properties.versions?.description ?? '', /Versions this route serves/);
  });
});

describe('GATEHOUSE_PLUGINS checks', () => {
  const usingExample = (config: Record<string, unknown>) => writeTempConfig({ _format_version: '3.0', plugins: [{ name: 'api-version', config }] });

  it('lets validate check configs that use the plugin, with its own error paths', async () => {
    const good = await usingExample({ versions: ['1'] });
    assert.equal((await runCli(['validate', good], WITH_EXAMPLE)).code, 0);
    const bad = await runCli(['validate', await usingExample({ versions: ['1'], default_version: '2' })], WITH_EXAMPLE);
    assert.equal(bad.code, 1);
    assert.deepEqual(bad.stderr, ['plugins[0].config.default_version: must be one of versions']);
    const withoutIt = await runCli(['validate', good]);
    assert.deepEqual(withoutIt.stderr, ['plugins[0].name: unknown plugin "api-version"']);
  });

  for (const [what, plugins, line] of [
    ['a path with no file', 'bundled,./no-such-plugin.js', /^GATEHOUSE_PLUGINS: cannot load \.\/no-such-plugin\.js: no such file \(\/.*\/no-such-plugin\.js\)$/],
    [
      'a module whose default export is not a plugin',
      'bundled,test/fixtures/plugins/named-export.js',
      /^GATEHOUSE_PLUGINS: test\/fixtures\/plugins\/named-export\.js is not a plugin: its default export must be definePlugin\(\{\.\.\.\}\) from gatehouse\/plugin-kit$/,
    ],
    ['a bundled plugin\'s name', 'bundled,test/fixtures/plugins/takes-key-auth-name.js', /^GATEHOUSE_PLUGINS: plugins key-auth \(bundled\) and key-auth \(test\/fixtures\/plugins\/takes-key-auth-name\.js\) are both named key-auth$/],
    [
      "a bundled plugin's priority",
      'bundled,test/fixtures/plugins/takes-key-auth-priority.js',
      /^GATEHOUSE_PLUGINS: plugins key-auth \(bundled\) and my-auth \(test\/fixtures\/plugins\/takes-key-auth-priority\.js\) share priority 1250$/,
    ],
    ['an entry named twice', `bundled,${EXAMPLE},bundled`, /^GATEHOUSE_PLUGINS: lists bundled twice$/],
  ] as const) {
    it(`refuses to start, with one line and exit 1, on ${what}`, async () => {
      const run = await runCli(['start'], { CONFIG: 'config/gatehouse.yaml', PLUGINS: plugins });
      assert.equal(run.code, 1);
      assert.equal(run.stderr.length, 1, run.stderr.join('\n'));
      assert.match(at(run.stderr, 0), line);
      assert.deepEqual(run.stdout, []);
    });
  }
});
