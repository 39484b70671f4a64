/** Black-box: config reloads of a running `gatehouse start` — SIGHUP, file watching, and a rejected file that changes nothing. */
import assert from 'node:assert/strict';
import { rename, writeFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { stringify } from 'yaml';
import { startCli, status, waitUntil, type StartedCli } from './helpers/cli.js';
import { statusOf } from '../support/served.js';
import { startUpstream, type TestUpstream } from './helpers/upstream.js';

/** A config whose routes are `paths`, all to the echo upstream. */
function configWith(upstreamUrl: string, paths: string[]): unknown {
  return { _format_version: '3.0', services: [{ name: 'echo', url: upstreamUrl, routes: paths.map((path) => ({ name: path.slice(1), paths: [path] })) }] };
}

async function waitForVersion(gw: StartedCli, version: number): Promise<void> {
  await waitUntil(async () => (await status(gw.adminUrl)).config_version === version, `config version ${version}`, 10_000);
}

describe('reload on SIGHUP', () => {
  let upstream: TestUpstream;
  let gw: StartedCli;

  before(async () => {
    upstream = await startUpstream();
    gw = await startCli(configWith(upstream.url, ['/one']));
  });
  after(async () => {
    await gw.cli.stop();
    await upstream.close();
  });

  it('serves a changed valid file as the next version', async () => {
    assert.equal(await statusOf(`${gw.proxyUrl}/two`), 404);
    await writeFile(gw.configPath, stringify(configWith(upstream.url, ['/one', '/two'])));
    gw.cli.signal('SIGHUP');
    await waitForVersion(gw, 2);
    assert.equal(await statusOf(`${gw.proxyUrl}/two`), 200);
    assert.equal(await statusOf(`${gw.proxyUrl}/one`), 200);
  });

  it('rejects an invalid file with its errors in one log line and keeps serving the old version', async () => {
    await writeFile(gw.configPath, stringify({ _format_version: '3.0', services: [{ name: 'echo', url: 'not a url', routes: [{ paths: ['three'] }] }] }));
    gw.cli.signal('SIGHUP');
    const line = await gw.cli.waitForLog((l) => l.msg.startsWith('config rejected'), 'the rejection');
    assert.equal(line.level, 'error');
    assert.equal(line.file, gw.configPath);
    const issues = line.issues as { path: string; message: string }[];
    assert.deepEqual(
      issues.map((issue) => issue.path),
      ['services[0].url', 'services[0].routes[0].paths[0]'],
    );
    assert.equal((await status(gw.adminUrl)).config_version, 2);
    assert.equal(await statusOf(`${gw.proxyUrl}/two`), 200);
    assert.equal(gw.cli.hasExited, false);
  });
});

describe('reload on file change (GATEHOUSE_WATCH_CONFIG=true)', () => {
  let upstream: TestUpstream;
  let gw: StartedCli;

  before(async () => {
    upstream = await startUpstream();
    gw = await startCli(configWith(upstream.url, ['/one']), { settings: { WATCH_CONFIG: 'true' } });
  });
  after(async () => {
    await gw.cli.stop();
    await upstream.close();
  });

  it('reloads a file rewritten in place', async () => {
    await writeFile(gw.configPath, stringify(configWith(upstream.url, ['/one', '/two'])));
    await waitForVersion(gw, 2);
    assert.equal(await statusOf(`${gw.proxyUrl}/two`), 200);
  });

  it('keeps watching after editors replace the file by a rename, again and again', async () => {
    for (const [version, path] of [[3, '/three'], [4, '/four']] as const) {
      const temporary = `${gw.configPath}.swp`;
      await writeFile(temporary, stringify(configWith(upstream.url, [path])));
      await rename(temporary, gw.configPath);
      await waitForVersion(gw, version);
      assert.equal(await statusOf(`${gw.proxyUrl}${path}`), 200);
      assert.equal(await statusOf(`${gw.proxyUrl}/one`), 404);
    }
  });

  it('rejects an invalid change and keeps serving, then takes the next valid one', async () => {
    await writeFile(gw.configPath, 'services: [ { name: broken\n');
    const line = await gw.cli.waitForLog((l) => l.msg.startsWith('config rejected'), 'the rejection');
    assert.match((line.issues as { message: string }[])[0]!.message, /^invalid YAML/);
    assert.equal(await statusOf(`${gw.proxyUrl}/four`), 200);
    await writeFile(gw.configPath, stringify(configWith(upstream.url, ['/five'])));
    await waitForVersion(gw, 5);
    assert.equal(await statusOf(`${gw.proxyUrl}/five`), 200);
  });
});
