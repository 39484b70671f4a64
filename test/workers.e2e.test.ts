/**
 * Black-box: GATEHOUSE_WORKERS — worker processes share the proxy and admin ports; config changes
 * (SIGHUP reloads, Redis writes) reach every worker; the drain covers them all; a crashed worker is
 * replaced and logged; `auto` starts one per usable CPU; a start that cannot serve stops them all.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { describe, it } from 'node:test';
import { request } from 'undici';
import { stringify } from 'yaml';
import { usableCpuCount } from '../src/runtime/cpu-count.js';
import { startTestRedis } from '../support/redis.js';
import { adminClient } from './helpers/admin.js';
import { runCli, startCli, waitUntil, type StartedCli } from './helpers/cli.js';
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

function echoConfig(upstreamUrl: string, route = 'echo'): unknown {
  return { _format_version: '3.0', services: [{ name: 'echo', url: upstreamUrl, routes: [{ name: route, paths: [`/${route}`] }] }] };
}

interface WorkerStatus {
  pid: number;
  config_version: number;
  draining: boolean;
}

/** `GET /status` on fresh connections (the primary hands each to the next worker) until `done` holds for the latest answer of each worker. */
async function askEveryWorker(gw: StartedCli, done: (byPid: Map<number, WorkerStatus>) => boolean, what: string): Promise<Map<number, WorkerStatus>> {
  const byPid = new Map<number, WorkerStatus>();
  await waitUntil(
    async () => {
      const status = (await request(`${gw.adminUrl}/status`, { reset: true }).then((res) => res.body.json())) as WorkerStatus;
      byPid.set(status.pid, status);
      return done(byPid);
    },
    what,
    15_000,
  );
  return byPid;
}

/** Proxy requests to `path` on fresh connections until `count` workers wrote its access-log line; their pids. */
async function servedByWorkers(gw: StartedCli, path: string, count: number): Promise<number[]> {
  const servers = () => new Set(gw.cli.logs().filter((l) => l.msg === 'access' && l.path === path).map((l) => l.pid as number));
  await waitUntil(
    async () => {
      const res = await request(`${gw.proxyUrl}${path}`, { reset: true });
      assert.equal(res.statusCode, 200);
      await res.body.dump();
      return servers().size >= count;
    },
    `access-log lines for ${path} from ${count} workers`,
    15_000,
  );
  return [...servers()];
}

describe('GATEHOUSE_WORKERS', () => {
  it('serves from two workers, reloads them all on SIGHUP, and drains them all on SIGTERM', async () => {
    const upstream = await startUpstream();
    const gw = await startCli(echoConfig(upstream.url), { settings: { WORKERS: '2', DRAIN_DELAY_MS: '6000' } });
    try {
      const workers = await servedByWorkers(gw, '/echo', 2);
      assert.ok(!workers.includes(gw.cli.pid), 'requests are served by workers, not by the primary');
      const statuses = await askEveryWorker(gw, (byPid) => byPid.size === 2, '/status from both workers');
      assert.deepEqual([...statuses.keys()].sort(), [...workers].sort());

      // SIGHUP to the primary reloads every worker.
      await writeFile(gw.configPath, stringify(echoConfig(upstream.url, 'two')));
      gw.cli.signal('SIGHUP');
      await askEveryWorker(gw, (byPid) => [...byPid.values()].filter((s) => s.config_version === 2).length === 2, 'both workers on config version 2');

      // SIGTERM to the primary drains every worker: both draining (readiness 503) during the delay,
      // which is long beside the few requests it takes to hear from both, even on a loaded machine.
      gw.cli.signal('SIGTERM');
      const draining = await askEveryWorker(gw, (byPid) => [...byPid.values()].filter((s) => s.draining).length === 2, 'both workers draining');
      assert.deepEqual([...draining.keys()].sort(), [...workers].sort());
      const ready = await request(`${gw.adminUrl}/status/ready`, { reset: true });
      assert.equal(ready.statusCode, 503);
      await ready.body.dump();
      assert.deepEqual(await gw.cli.waitForExit(), { code: 0, signal: null }, gw.cli.output());
      assert.equal(gw.cli.logs().filter((l) => l.msg === 'gatehouse stopped').length, 2);
      assert.ok(gw.cli.logs().some((l) => l.msg === 'draining every worker' && l.reason === 'SIGTERM' && l.workers === 2));
      assert.deepEqual(workers.filter(isRunning), []);
    } finally {
      gw.cli.child.kill('SIGKILL');
      await upstream.close();
    }
  });

  it('replaces a worker that crashes, logging it, and keeps serving from two', async () => {
    const upstream = await startUpstream();
    const gw = await startCli(echoConfig(upstream.url), { settings: { WORKERS: '2' } });
    try {
      const [victim, survivor] = await servedByWorkers(gw, '/echo', 2);
      process.kill(victim!, 'SIGKILL');
      const exited = await gw.cli.waitForLog((l) => l.msg === 'worker exited; starting another', 'the crash to be logged');
      assert.deepEqual([exited.worker_pid, exited.signal, exited.level], [victim, 'SIGKILL', 'error']);
      const replacement = await gw.cli.waitForLog((l) => l.msg === 'worker ready' && l.worker_pid !== victim && l.worker_pid !== survivor, 'the replacement to be ready');

      const statuses = await askEveryWorker(gw, (byPid) => byPid.has(replacement.worker_pid as number) && byPid.has(survivor!), 'the replacement and the survivor to answer');
      assert.ok(!statuses.has(victim!));
      assert.deepEqual(await gw.cli.stop(), { code: 0, signal: null }, gw.cli.output());
    } finally {
      gw.cli.child.kill('SIGKILL');
      await upstream.close();
    }
  });

  it('carries a config written through one worker to the other (Redis), and drains both on gatehouse stop', async () => {
    const [upstream, redis] = await Promise.all([startUpstream(), startTestRedis()]);
    const token = 'workers-test-admin-token';
    const gw = await startCli(echoConfig(upstream.url), { settings: { WORKERS: '2', REDIS_URL: redis.url, ADMIN_TOKEN: token } });
    try {
      await askEveryWorker(gw, (byPid) => byPid.size === 2, 'both workers to answer');
      const admin = adminClient(gw.adminUrl, token);
      const created = await admin('POST', '/services/echo/routes', { name: 'added', paths: ['/added'] });
      assert.equal(created.status, 201);
      await askEveryWorker(gw, (byPid) => [...byPid.values()].filter((s) => s.config_version === created.version).length === 2, `both workers on config version ${created.version}`);
      assert.equal((await servedByWorkers(gw, '/added', 2)).length, 2);

      const stop = await runCli(['stop', '--admin-url', gw.adminUrl, '--token', token]);
      assert.equal(stop.code, 0, stop.stderr.join('\n'));
      assert.deepEqual(await gw.cli.waitForExit(), { code: 0, signal: null }, gw.cli.output());
      assert.ok(gw.cli.logs().some((l) => l.msg === 'draining every worker' && l.reason === 'admin API (gatehouse stop)'));
      assert.equal(gw.cli.logs().filter((l) => l.msg === 'gatehouse stopped').length, 2);
      // The worker holding stop's connection answered it once both workers had drained.
      assert.equal(gw.cli.logs().filter((l) => l.msg.startsWith('drained: the callers waiting for it are answered')).length, 1, `${stop.stdout.join('\n')}\n${gw.cli.output()}`);
    } finally {
      gw.cli.child.kill('SIGKILL');
      await Promise.all([upstream.close(), redis.close()]);
    }
  });

  it('starts one worker per usable CPU with auto', async () => {
    const upstream = await startUpstream();
    const gw = await startCli(echoConfig(upstream.url), { settings: { WORKERS: 'auto' } });
    try {
      const expected = usableCpuCount();
      await waitUntil(() => gw.cli.logs().filter((l) => l.msg === 'worker ready').length === expected, `${expected} workers ready`, 15_000);
      const statuses = await askEveryWorker(gw, (byPid) => byPid.size === expected, `/status from ${expected} workers`);
      assert.equal(statuses.size, expected);
      assert.deepEqual(await gw.cli.stop(), { code: 0, signal: null }, gw.cli.output());
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
      assert.doesNotMatch(run.stdout.join('\n'), /starting another/);
    } finally {
      taken.close();
    }
  });
});
