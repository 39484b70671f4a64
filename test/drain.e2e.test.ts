/** Black-box: SIGTERM drains a running `gatehouse start` — in-flight requests finish, new connections are refused, the drain timeout bounds the wait. */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { describe, it } from 'node:test';
import { request } from 'undici';
import { startCli, waitUntil } from './helpers/cli.js';
import { startUpstream, type UpstreamHandler } from './helpers/upstream.js';

const SLOW_ANSWER_MS = 1000;

/** Resolves with the connect error code, or "connected". */
function tryConnect(url: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

function gatewayConfig(upstreamUrl: string): unknown {
  return { _format_version: '3.0', services: [{ name: 'slow', url: upstreamUrl, routes: [{ name: 'slow', paths: ['/slow'] }] }] };
}

describe('SIGTERM drain', () => {
  it('lets an in-flight request finish, refuses new connections meanwhile, then exits 0', async () => {
    const slow: UpstreamHandler = (_req, res) => setTimeout(() => res.end('done slowly'), SLOW_ANSWER_MS);
    const upstream = await startUpstream(slow);
    const gw = await startCli(gatewayConfig(upstream.url));
    try {
      const inFlight = request(`${gw.proxyUrl}/slow`);
      await waitUntil(() => upstream.seen.length === 1, 'the request to reach the upstream', 10_000);
      gw.cli.signal('SIGTERM');
      await gw.cli.waitForLog((l) => l.msg.startsWith('draining'), 'the drain start');

      assert.equal(await tryConnect(gw.proxyUrl), 'ECONNREFUSED');
      const res = await inFlight;
      assert.equal(res.statusCode, 200);
      assert.equal(await res.body.text(), 'done slowly');
      assert.deepEqual(await gw.cli.waitForExit(), { code: 0, signal: null }, gw.cli.output());
      assert.ok(gw.cli.logs().some((l) => l.msg === 'gatehouse stopped'));
    } finally {
      gw.cli.child.kill('SIGKILL');
      await upstream.close();
    }
  });

  it('stops waiting after GATEHOUSE_DRAIN_TIMEOUT_MS when an upstream hangs', async () => {
    const hanging: UpstreamHandler = () => undefined;
    const upstream = await startUpstream(hanging);
    const gw = await startCli(gatewayConfig(upstream.url), { settings: { DRAIN_TIMEOUT_MS: '300' } });
    try {
      const inFlight = request(`${gw.proxyUrl}/slow`).then(
        (res) => `status ${res.statusCode}`,
        (error: Error & { code?: string }) => error.code ?? error.message,
      );
      await waitUntil(() => upstream.seen.length === 1, 'the request to reach the upstream', 10_000);
      gw.cli.signal('SIGTERM');

      assert.deepEqual(await gw.cli.waitForExit(), { code: 0, signal: null }, gw.cli.output());
      assert.ok(gw.cli.logs().some((l) => l.msg === 'drain timeout reached; closing remaining connections'));
      // The client was cut off rather than answered.
      assert.equal(await inFlight, 'UND_ERR_SOCKET');
    } finally {
      gw.cli.child.kill('SIGKILL');
      await upstream.close();
    }
  });
});
