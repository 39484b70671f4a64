/**
 * Black-box: every way `gatehouse start` can fail ends in a clear message and exit 1, never a process
 * that hangs with nothing listening (issue 14, item 6) — an invalid or unreadable seed file over an
 * empty Redis store (one process and GATEHOUSE_WORKERS=2), an unreadable file, a port in use after the
 * Redis store was opened, the status listener's or the demo upstream's port in use, an unreadable
 * certificate. And the one start that serves without a config: Redis unreachable and no snapshot
 * starts its listeners not ready, and becomes ready once Redis appears.
 */
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { stringify } from 'yaml';
import { DEMO_ECHO_HOST, DEMO_ECHO_PORT } from '../src/cli/start.js';
import { CliProcess, freePort, runCli, waitUntil } from './helpers/cli.js';
import { writeTempConfig } from './helpers/gateway.js';
import { startTestRedis, type TestRedis } from '../support/redis.js';
import { statusOf } from '../support/served.js';
import { startUpstream, type TestUpstream } from './helpers/upstream.js';

const INVALID = { _format_version: '3.0', routes: [{ paths: ['nope'] }] };
const INVALID_REPORT = '  routes[0].paths[0]: should start with: / (fixed path) or ~/ (regex path)';

/** A loopback port held by another server for the test's duration. */
async function takenPort(): Promise<{ port: number; server: Server }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as { port: number }).port, server };
}

describe('gatehouse start: a start that cannot serve says so and exits', () => {
  let redis: TestRedis;
  let dir: string;

  before(async () => {
    redis = await startTestRedis();
    dir = await mkdtemp(join(tmpdir(), 'gatehouse-start-paths-'));
  });
  after(async () => {
    await redis.close();
  });

  /** Redis-mode settings on an empty store, free loopback ports, the snapshot kept out of the worktree. */
  async function redisMode(settings: Record<string, string>): Promise<Record<string, string>> {
    const client = new Redis(redis.port, '127.0.0.1');
    await client.flushall();
    client.disconnect();
    return {
      REDIS_URL: redis.url,
      SNAPSHOT: join(dir, `snapshot-${Math.random().toString(36).slice(2)}.json`),
      PROXY_LISTEN: `127.0.0.1:${await freePort()}`,
      ADMIN_LISTEN: `127.0.0.1:${await freePort()}`,
      ...settings,
    };
  }

  for (const workers of ['1', '2']) {
    it(`prints the seed file's errors and exits 1 when Redis is empty and the file is invalid (WORKERS=${workers})`, async () => {
      const file = await writeTempConfig(INVALID);
      const run = await runCli(['start'], await redisMode({ CONFIG: file, WORKERS: workers }));
      assert.deepEqual({ code: run.code, signal: run.signal }, { code: 1, signal: null }, run.stderr.join('\n'));
      assert.equal(run.stderr[0], `gatehouse: ${file} is invalid:`);
      assert.equal(run.stderr[1], INVALID_REPORT);
      if (workers === '2') assert.match(run.stderr.join('\n'), /worker \d+ failed to start \(code 1\); stopping/);
      const client = new Redis(redis.port, '127.0.0.1');
      assert.equal(await client.get('gatehouse:{config}:current'), null, 'nothing was stored');
      client.disconnect();
    });
  }

  it('exits 1 naming the file when the seed file cannot be read', async () => {
    const run = await runCli(['start'], await redisMode({ CONFIG: dir }));
    assert.deepEqual({ code: run.code, signal: run.signal }, { code: 1, signal: null }, run.stderr.join('\n'));
    assert.equal(run.stderr[0], `gatehouse: ${dir} is invalid:`);
    assert.match(run.stderr[1]!, /cannot read file: .*EISDIR/);
  });

  it('exits 1 naming the file in file mode when it cannot be read or does not exist', async () => {
    for (const file of [dir, join(dir, 'missing.yaml')]) {
      const run = await runCli(['start'], { CONFIG: file, PROXY_LISTEN: `127.0.0.1:${await freePort()}`, ADMIN_LISTEN: `127.0.0.1:${await freePort()}` });
      assert.deepEqual({ code: run.code, signal: run.signal }, { code: 1, signal: null }, run.stderr.join('\n'));
      assert.equal(run.stderr[0], `gatehouse: ${file} is invalid:`);
      assert.match(run.stderr[1]!, /cannot read file: .*(EISDIR|ENOENT)/);
    }
  });

  for (const workers of ['1', '2']) {
    it(`closes the opened Redis store and exits 1 when a port is in use (WORKERS=${workers})`, async () => {
      const taken = await takenPort();
      try {
        const file = await writeTempConfig({ _format_version: '3.0' });
        const run = await runCli(['start'], await redisMode({ CONFIG: file, WORKERS: workers, ADMIN_LISTEN: `127.0.0.1:${taken.port}` }));
        assert.deepEqual({ code: run.code, signal: run.signal }, { code: 1, signal: null }, run.stderr.join('\n'));
        assert.match(run.stderr.join('\n'), new RegExp(`gatehouse: cannot start: cannot listen for admin on 127\\.0\\.0\\.1:${taken.port}: .*EADDRINUSE`));
      } finally {
        taken.server.close();
      }
    });
  }

  it('exits 1 naming the status listener when its port is in use', async () => {
    const taken = await takenPort();
    try {
      const run = await runCli(['start'], {
        CONFIG: 'config/gatehouse.yaml',
        PROXY_LISTEN: `127.0.0.1:${await freePort()}`,
        ADMIN_LISTEN: `127.0.0.1:${await freePort()}`,
        STATUS_LISTEN: `127.0.0.1:${taken.port}`,
      });
      assert.deepEqual({ code: run.code, signal: run.signal }, { code: 1, signal: null }, run.stderr.join('\n'));
      assert.match(run.stderr.join('\n'), new RegExp(`^gatehouse: cannot start: cannot listen for status on 127\\.0\\.0\\.1:${taken.port}: .*EADDRINUSE`));
    } finally {
      taken.server.close();
    }
  });

  for (const workers of ['1', '2']) {
    it(`exits 1 naming the demo upstream when its port is in use (start --demo, WORKERS=${workers})`, async () => {
      // Whoever holds the demo port, this test or another process, the start must fail the same way.
      const holder = createServer();
      await new Promise<void>((resolve) => holder.once('error', () => resolve()).listen(DEMO_ECHO_PORT, DEMO_ECHO_HOST, resolve));
      try {
        const run = await runCli(['start', '--demo'], {
          CONFIG: 'config/gatehouse.yaml',
          WORKERS: workers,
          PROXY_LISTEN: `127.0.0.1:${await freePort()}`,
          ADMIN_LISTEN: `127.0.0.1:${await freePort()}`,
        });
        assert.deepEqual({ code: run.code, signal: run.signal }, { code: 1, signal: null }, run.stderr.join('\n'));
        assert.deepEqual(run.stderr, [
          `gatehouse: cannot start: cannot listen for the demo upstream on ${DEMO_ECHO_HOST}:${DEMO_ECHO_PORT}: listen EADDRINUSE: address already in use ${DEMO_ECHO_HOST}:${DEMO_ECHO_PORT}`,
        ]);
      } finally {
        holder.close();
      }
    });
  }

  it('refuses a malformed GATEHOUSE_STATUS_LISTEN with one line', async () => {
    const run = await runCli(['start'], { STATUS_LISTEN: 'everywhere' });
    assert.equal(run.code, 1);
    assert.deepEqual(run.stderr, ['GATEHOUSE_STATUS_LISTEN: must be host:port, e.g. 0.0.0.0:8000']);
  });

  it('closes the opened Redis store and exits 1 when the certificate cannot be read', async () => {
    const file = await writeTempConfig({ _format_version: '3.0' });
    const missing = join(dir, 'missing.pem');
    const run = await runCli(['start'], await redisMode({ CONFIG: file, TLS_CERT: missing, TLS_KEY: missing, PROXY_TLS_LISTEN: `127.0.0.1:${await freePort()}` }));
    assert.deepEqual({ code: run.code, signal: run.signal }, { code: 1, signal: null }, run.stderr.join('\n'));
    assert.match(run.stderr.join('\n'), /^gatehouse: cannot start: GATEHOUSE_TLS_CERT: cannot read .*missing\.pem: ENOENT/);
  });
});

describe('gatehouse start: Redis unreachable and no snapshot', () => {
  let upstream: TestUpstream;
  let redis: TestRedis;
  let dir: string;

  before(async () => {
    upstream = await startUpstream();
    // Started only to reserve a port of its own, then stopped: the gateway starts while nothing listens there.
    redis = await startTestRedis();
    await redis.stop();
    dir = await mkdtemp(join(tmpdir(), 'gatehouse-no-redis-'));
  });
  after(async () => {
    await redis.close();
    await upstream.close();
  });

  async function startWithoutRedis(config: unknown) {
    const file = await writeTempConfig(config);
    const [proxyPort, adminPort, statusPort] = [await freePort(), await freePort(), await freePort()];
    const cli = new CliProcess(['start'], {
      REDIS_URL: redis.url,
      CONFIG: file,
      SNAPSHOT: join(dir, `snapshot-${proxyPort}.json`),
      CONFIG_POLL_MS: '200',
      PROXY_LISTEN: `127.0.0.1:${proxyPort}`,
      ADMIN_LISTEN: `127.0.0.1:${adminPort}`,
      STATUS_LISTEN: `127.0.0.1:${statusPort}`,
      LOG_LEVEL: 'info',
    });
    const urls = { file, proxy: `http://127.0.0.1:${proxyPort}`, admin: `http://127.0.0.1:${adminPort}`, status: `http://127.0.0.1:${statusPort}` };
    return { cli, ...urls };
  }

  it('serves not ready (503 on both listeners, an error logged) and becomes ready once Redis appears', async () => {
    const gw = await startWithoutRedis({ _format_version: '3.0', services: [{ name: 'echo', url: upstream.url, routes: [{ name: 'echo', paths: ['/echo'] }] }] });
    try {
      await gw.cli.waitForLog((l) => l.level === 'error' && /Redis is unreachable and there is no snapshot/.test(l.msg), 'the not-ready error', 15_000);
      await waitUntil(async () => (await statusOf(`${gw.status}/status/ready`)) === 503, 'the status listener to answer 503', 10_000);
      assert.equal(await statusOf(`${gw.admin}/status/ready`), 503);
      assert.equal(await statusOf(`${gw.status}/status`), 200);

      await redis.start();
      await waitUntil(async () => (await statusOf(`${gw.status}/status/ready`)) === 200, 'ready once Redis is up', 15_000);
      assert.equal(await statusOf(`${gw.admin}/status/ready`), 200);
      assert.equal(await statusOf(`${gw.proxy}/echo`), 200);
      const client = new Redis(redis.port, '127.0.0.1');
      assert.equal(await client.get('gatehouse:{config}:current'), '1', 'the empty store was seeded from the file');
      client.disconnect();

      assert.deepEqual(await gw.cli.stop(), { code: 0, signal: null }, gw.cli.output());
      assert.equal(await statusOf(`${gw.status}/status`), 0, 'the status listener closed with the others');
    } finally {
      gw.cli.child.kill('SIGKILL');
      await redis.stop();
    }
  });

  it('stays not ready with the seed errors logged when Redis appears empty and the file is invalid, and serves once the file is fixed', async () => {
    const gw = await startWithoutRedis(INVALID);
    try {
      await gw.cli.waitForLog((l) => /Redis is unreachable and there is no snapshot/.test(l.msg), 'the not-ready error', 15_000);
      await redis.start();
      const logged = await gw.cli.waitForLog((l) => /seed file is invalid/.test(l.msg), 'the seed errors', 15_000);
      assert.deepEqual(logged.issues, [{ path: 'routes[0].paths[0]', message: 'should start with: / (fixed path) or ~/ (regex path)' }]);
      assert.equal(await statusOf(`${gw.status}/status/ready`), 503);
      assert.equal(gw.cli.hasExited, false);

      await writeFile(gw.file, stringify({ _format_version: '3.0', services: [{ name: 'echo', url: upstream.url, routes: [{ name: 'echo', paths: ['/echo'] }] }] }));
      await waitUntil(async () => (await statusOf(`${gw.status}/status/ready`)) === 200, 'ready once the file is fixed', 15_000);
      assert.equal(await statusOf(`${gw.proxy}/echo`), 200);
      assert.deepEqual(await gw.cli.stop(), { code: 0, signal: null }, gw.cli.output());
    } finally {
      gw.cli.child.kill('SIGKILL');
      await redis.stop();
    }
  });
});
