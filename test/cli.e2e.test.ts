/** Black-box: the `gatehouse` command as a user runs it — help, validate, settings checks, a refused start, status and readiness. */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { freePort, runCli, startCli, status, type StartedCli } from './helpers/cli.js';
import { writeTempConfig } from './helpers/gateway.js';
import { startUpstream, type TestUpstream } from './helpers/upstream.js';

describe('gatehouse command line', () => {
  it('prints the usage for --help and exits 0', async () => {
    const run = await runCli(['--help']);
    assert.equal(run.code, 0);
    assert.match(run.stdout.join('\n'), /^usage: gatehouse <command>/);
    assert.match(run.stdout.join('\n'), /validate FILE/);
  });

  it('answers an unknown command with the usage on stderr and exit 2', async () => {
    const run = await runCli(['frobnicate']);
    assert.equal(run.code, 2);
    assert.deepEqual(run.stdout, []);
    assert.match(run.stderr.join('\n'), /^usage: gatehouse <command>/);
  });

  it('validates the Kong example file unchanged', async () => {
    const run = await runCli(['validate', 'config/examples/kong.yml']);
    assert.equal(run.code, 0, run.stderr.join('\n'));
    assert.deepEqual(run.stdout, ['OK: config/examples/kong.yml (2 services, 3 routes, 1 upstream, 2 targets, 1 consumer, 2 plugins)']);
  });

  it('lists every error of an invalid file with its path and exits 1', async () => {
    const file = await writeTempConfig(`_format_version: "3.0"
services:
  - name: orders
    url: http://orders.internal:8080
    routes:
      - name: ok
        paths: [/orders]
      - name: broken
        paths: [orders]
    plugins:
      - name: no-such-plugin
`);
    const run = await runCli(['validate', file]);
    assert.equal(run.code, 1);
    assert.deepEqual(run.stdout, []);
    assert.deepEqual(run.stderr, [
      'services[0].routes[1].paths[0]: should start with: / (fixed path) or ~/ (regex path)',
      'services[0].plugins[0].name: unknown plugin "no-such-plugin"',
    ]);
  });

  it('refuses to start with one line per bad setting', async () => {
    const run = await runCli(['start'], { PROXY_LISTEN: 'nonsense', LOG_LEVEL: 'loud', TRUSTED_PROXIES: '10.0.0.0/99,not-an-ip' });
    assert.equal(run.code, 1);
    assert.deepEqual(run.stderr, [
      'GATEHOUSE_PROXY_LISTEN: must be host:port, e.g. 0.0.0.0:8000',
      'GATEHOUSE_LOG_LEVEL: Invalid option: expected one of "fatal"|"error"|"warn"|"info"|"debug"|"trace"|"silent"',
      'GATEHOUSE_TRUSTED_PROXIES: "10.0.0.0/99" is not an IP address or CIDR, e.g. 10.0.0.0/8; "not-an-ip" is not an IP address or CIDR, e.g. 10.0.0.0/8',
    ]);
  });

  it('refuses an admin listener on a non-loopback address without an admin token', async () => {
    const run = await runCli(['start'], { ADMIN_LISTEN: `0.0.0.0:${await freePort()}`, CONFIG: 'config/gatehouse.yaml' });
    assert.equal(run.code, 1);
    assert.deepEqual(run.stderr, ['GATEHOUSE_ADMIN_LISTEN: binding the admin API to 0.0.0.0 needs GATEHOUSE_ADMIN_TOKEN']);
  });

  it('refuses to start on an invalid config file, listing every error with its path', async () => {
    const file = await writeTempConfig({
      _format_version: '3.0',
      services: [{ name: 's', url: 'http://127.0.0.1:1', connect_timeout: -1, routes: [{ paths: ['/a'], methods: ['FETCH!'] }] }],
    });
    const run = await runCli(['start'], { CONFIG: file, PROXY_LISTEN: `127.0.0.1:${await freePort()}`, ADMIN_LISTEN: `127.0.0.1:${await freePort()}` });
    assert.equal(run.code, 1);
    assert.equal(run.stderr[0], `gatehouse: ${file} is invalid:`);
    assert.deepEqual(
      run.stderr.slice(1).map((line) => line.trim().split(':')[0]),
      ['services[0].connect_timeout', 'services[0].routes[0].methods[0]'],
    );
  });

  it('exits 1 naming the listener when its port is taken, leaving nothing running', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    try {
      const run = await runCli(['start'], { CONFIG: 'config/gatehouse.yaml', PROXY_LISTEN: `127.0.0.1:${await freePort()}`, ADMIN_LISTEN: `127.0.0.1:${port}` });
      // The exit itself shows the proxy listener, already up, was closed again.
      assert.equal(run.code, 1);
      assert.match(run.stderr.join('\n'), new RegExp(`^gatehouse: cannot start: cannot listen for admin on 127\\.0\\.0\\.1:${port}: .*EADDRINUSE`));
    } finally {
      taken.close();
    }
  });
});

describe('gatehouse start: status and readiness', () => {
  let upstream: TestUpstream;
  let gw: StartedCli;

  before(async () => {
    upstream = await startUpstream();
    gw = await startCli({ _format_version: '3.0', services: [{ name: 'echo', url: upstream.url, routes: [{ name: 'echo', paths: ['/echo'] }] }] });
  });
  after(async () => {
    await gw.cli.stop();
    await upstream.close();
  });

  it('answers /status and /status/ready on the admin listener with the config version', async () => {
    const ready = await request(`${gw.adminUrl}/status/ready`);
    assert.equal(ready.statusCode, 200);
    assert.deepEqual(await ready.body.json(), { ready: true, draining: false, config_version: 1 });
    const doc = await status(gw.adminUrl);
    assert.equal(doc.status, 'ok');
    assert.equal(doc.pid, gw.cli.pid);
    assert.equal(doc.config_version, 1);
    assert.equal(doc.routes, 1);
  });

  it('does not expose the admin API on the proxy listener: /status there is 404 no_route', async () => {
    for (const path of ['/status', '/status/ready']) {
      const res = await request(`${gw.proxyUrl}${path}`);
      assert.equal(res.statusCode, 404);
      const body = (await res.body.json()) as { error: string; request_id: string };
      assert.equal(body.error, 'no_route');
      assert.equal(body.request_id, res.headers['x-request-id']);
    }
    assert.equal(upstream.seen.length, 0);
  });

  it('logs JSON lines to stdout, the access log included', async () => {
    const res = await request(`${gw.proxyUrl}/echo/hello`, { headers: { 'x-request-id': 'cli-log-check' } });
    await res.body.dump();
    const line = await gw.cli.waitForLog((l) => l.msg === 'access' && l.request_id === 'cli-log-check', 'the access line');
    assert.equal(line.status, 200);
    assert.equal(line.pid, gw.cli.pid);
  });

  it('writes access lines as ASCII, with anything else escaped to the same JSON value', async () => {
    // undici sends the header as latin1 bytes, which Node reads back as the same characters.
    const host = 'bücher.example';
    const res = await request(`${gw.proxyUrl}/echo/hello`, { headers: { host, 'x-request-id': 'cli-ascii-check' } });
    await res.body.dump();
    const line = await gw.cli.waitForLog((l) => l.msg === 'access' && l.request_id === 'cli-ascii-check', 'the access line');
    assert.equal(line.host, host);
    const raw = gw.cli.stdout.find((text) => text.includes('"cli-ascii-check"'))!;
    assert.match(raw, /^[\x20-\x7e]+$/);
    assert.ok(raw.includes('"host":"b\\u00fccher.example"'), raw);
  });
});
