/** Black-box: GATEHOUSE_WORKERS=2 — two worker processes share the proxy and admin ports, and SIGTERM stops them all. */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { describe, it } from 'node:test';
import { request } from 'undici';
import { stringify } from 'yaml';
import { runCli, startCli, waitUntil } from './helpers/cli.js';
import { writeTempConfig } from './helpers/gateway.js';
import { startUpstream } from './helpers/upstream.js';

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('GATEHOUSE_WORKERS=2', () => {
  it('serves the proxy port from two worker processes, reloads them all on SIGHUP, stops them all on SIGTERM', async () => {
    const upstream = await startUpstream();
    const gw = await startCli(
      { _format_version: '3.0', services: [{ name: 'echo', url: upstream.url, routes: [{ name: 'echo', paths: ['/echo'] }] }] },
      { settings: { WORKERS: '2' } },
    );
    try {
      // A new connection per request lets the primary hand each one to the next worker.
      const proxyPids = () => new Set(gw.cli.logs().filter((l) => l.msg === 'access').map((l) => l.pid as number));
      await waitUntil(
        async () => {
          const res = await request(`${gw.proxyUrl}/echo`, { reset: true });
          assert.equal(res.statusCode, 200);
          await res.body.dump();
          return proxyPids().size === 2;
        },
        'access-log lines from two processes',
        15_000,
      );
      const workers = [...proxyPids()];
      assert.ok(!workers.includes(gw.cli.pid), 'requests are served by workers, not by the primary');

      const adminPids = new Set<number>();
      await waitUntil(
        async () => {
          const res = await request(`${gw.adminUrl}/status`, { reset: true });
          adminPids.add(((await res.body.json()) as { pid: number }).pid);
          return adminPids.size === 2;
        },
        '/status from both workers',
        15_000,
      );
      assert.deepEqual([...adminPids].sort(), [...workers].sort());

      // SIGHUP to the primary reloads every worker.
      await writeFile(gw.configPath, stringify({ _format_version: '3.0', services: [{ name: 'echo', url: upstream.url, routes: [{ name: 'two', paths: ['/two'] }] }] }));
      gw.cli.signal('SIGHUP');
      const versions = new Map<number, number>();
      await waitUntil(
        async () => {
          const res = await request(`${gw.adminUrl}/status`, { reset: true });
          const doc = (await res.body.json()) as { pid: number; config_version: number };
          versions.set(doc.pid, doc.config_version);
          return versions.size === 2 && [...versions.values()].every((version) => version === 2);
        },
        'both workers on config version 2',
        15_000,
      );

      gw.cli.signal('SIGTERM');
      assert.deepEqual(await gw.cli.waitForExit(), { code: 0, signal: null }, gw.cli.output());
      assert.equal(gw.cli.logs().filter((l) => l.msg === 'gatehouse stopped').length, 2);
      assert.deepEqual(workers.filter(isRunning), []);
    } finally {
      gw.cli.child.kill('SIGKILL');
      await upstream.close();
    }
  });

  it('reports an invalid config file once and exits 1 without starting workers', async () => {
    const file = await writeTempConfig({ _format_version: '3.0', routes: [{ paths: ['nope'] }] });
    const run = await runCli(['start'], { CONFIG: file, WORKERS: '2', PROXY_LISTEN: '127.0.0.1:0', ADMIN_LISTEN: '127.0.0.1:0' });
    assert.equal(run.code, 1);
    assert.deepEqual(run.stderr, [`gatehouse: ${file} is invalid:`, '  routes[0].paths[0]: should start with: / (fixed path) or ~/ (regex path)']);
  });

  it('stops with exit 1 instead of restarting workers that cannot start', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    try {
      const run = await runCli(['start'], { CONFIG: 'config/gatehouse.yaml', WORKERS: '2', PROXY_LISTEN: `127.0.0.1:${port}`, ADMIN_LISTEN: '127.0.0.1:0' });
      assert.equal(run.code, 1);
      assert.match(run.stderr.join('\n'), /cannot listen for proxy .*EADDRINUSE/);
      assert.match(run.stderr.join('\n'), /worker \d+ failed to start \(code 1\); stopping/);
      assert.doesNotMatch(run.stderr.join('\n'), /starting another/);
    } finally {
      taken.close();
    }
  });
});
