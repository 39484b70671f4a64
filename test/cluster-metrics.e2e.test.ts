/** Black-box: with GATEHOUSE_WORKERS=2, one scrape of /metrics sums the traffic both workers served. */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { get } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { eventuallyAsync, writeTempConfig } from './helpers/gateway.js';
import { closedPort, startUpstream, type TestUpstream } from './helpers/upstream.js';

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const REQUESTS = 20;

/** A GET on a fresh connection, so the cluster spreads requests over the workers. */
function freshGet(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    get(url, { agent: false }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    }).on('error', reject);
  });
}

describe('metrics with several workers', () => {
  let upstream: TestUpstream;
  let child: ChildProcess;
  let proxyUrl: string;
  let adminUrl: string;
  const lines: Array<Record<string, unknown>> = [];

  before(async () => {
    upstream = await startUpstream();
    const config = await writeTempConfig({
      _format_version: '3.0',
      services: [{ name: 'clustered', url: upstream.url, routes: [{ name: 'clustered', paths: ['/c'] }] }],
      plugins: [{ name: 'prometheus', config: { status_code_metrics: true, latency_metrics: true } }],
    });
    // Free ports that nothing listens on now; the workers will share them.
    const [proxyPort, adminPort] = [await closedPort(), await closedPort()];
    proxyUrl = `http://127.0.0.1:${proxyPort}`;
    adminUrl = `http://127.0.0.1:${adminPort}`;
    child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'start'], {
      env: {
        ...process.env,
        GATEHOUSE_CONFIG: config,
        GATEHOUSE_WORKERS: '2',
        GATEHOUSE_DRAIN_DELAY_MS: '0',
        GATEHOUSE_PROXY_LISTEN: `127.0.0.1:${proxyPort}`,
        GATEHOUSE_ADMIN_LISTEN: `127.0.0.1:${adminPort}`,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let buffered = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const parts = buffered.split('\n');
      buffered = parts.pop()!;
      for (const part of parts) if (part.startsWith('{')) lines.push(JSON.parse(part) as Record<string, unknown>);
    });
    // Log lines are buffered by the workers until exit; readiness is seen through /status instead.
    const pids = new Set<number>();
    await eventuallyAsync(
      async () => {
        const status = await freshGet(`${adminUrl}/status`).catch(() => null);
        if (status?.status === 200) pids.add((JSON.parse(status.body) as { pid: number }).pid);
        return pids.size === 2 ? true : undefined;
      },
      'both workers to answer',
      30_000,
    );
  });
  const stopGateway = async () => {
    if (child.exitCode !== null) return;
    // 'close' comes after stdout is drained, so every flushed line has been read.
    const exited = new Promise((resolve) => child.once('close', resolve));
    child.kill('SIGTERM');
    await exited;
  };
  after(async () => {
    await stopGateway();
    await upstream.close();
  });

  it('aggregates the counters of both workers in one scrape', async () => {
    for (let i = 0; i < REQUESTS; i++) assert.equal((await freshGet(`${proxyUrl}/c/${i}`)).status, 200);

    for (let scrape = 0; scrape < 3; scrape++) {
      const { status, body } = await freshGet(`${adminUrl}/metrics`);
      assert.equal(status, 200);
      assert.match(body, new RegExp(`^gatehouse_http_requests_total\\{service="clustered",route="clustered",code="200",consumer=""\\} ${REQUESTS}$`, 'm'));
      assert.match(body, new RegExp(`^gatehouse_request_latency_ms_count\\{service="clustered",route="clustered"\\} ${REQUESTS}$`, 'm'));
      assert.match(body, /^gatehouse_config_version 1$/m);
    }

    // The access lines (flushed at exit) name the worker that served each request: both did.
    await stopGateway();
    const access = lines.filter((l) => l.msg === 'access');
    assert.equal(access.length, REQUESTS);
    assert.equal(new Set(access.map((l) => l.pid)).size, 2);
  });
});
