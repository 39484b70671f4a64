/**
 * Black-box: the drain of a running `gatehouse start` (SIGTERM, a second SIGTERM, the drain timeout)
 * loses no request — readiness turns 503 at once on the admin and status listeners, the listeners
 * keep accepting through GATEHOUSE_DRAIN_DELAY_MS with every answer closing its connection, an
 * in-flight request outlives the listeners, and the process exits 0 having logged each step — and
 * `gatehouse stop`, which asks for that drain through the admin API and returns once it is done.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { describe, it } from 'node:test';
import { Pool, request } from 'undici';
import { CliProcess, freePort, runCli, startCli, waitUntil } from './helpers/cli.js';
import { tryConnect } from './helpers/raw-http.js';
import { startSink } from './helpers/sink.js';
import { startUpstream, type UpstreamHandler } from './helpers/upstream.js';

/** At most this many requests in the load loop, this many at once, SIGTERM once this many were answered. */
const LOOP_REQUESTS = 600;
const LOOP_CONCURRENCY = 6;
const SIGTERM_AFTER = 300;
/**
 * Long beside what the test does in it (the loop noticing readiness 503, a few requests), so on a
 * loaded machine too everything the test sends during the delay meets listeners that still accept.
 */
const DRAIN_DELAY_MS = '8000';

/** One kept-alive client connection, written by hand so the test sees its answers' heads and its end. */
class KeptConnection {
  private text = '';
  readonly closed: Promise<void>;

  private constructor(private readonly socket: Socket) {
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (this.text += chunk));
    this.closed = once(socket, 'close').then(() => undefined);
  }

  static async open(url: string): Promise<KeptConnection> {
    const { hostname, port } = new URL(url);
    const socket = connect(Number(port), hostname);
    await once(socket, 'connect');
    return new KeptConnection(socket);
  }

  /** Sends a GET and returns the answer's status line and head, lower-cased. */
  async get(path: string): Promise<string> {
    const from = this.text.length;
    this.socket.write(`GET ${path} HTTP/1.1\r\nHost: drain.test\r\n\r\n`);
    await waitUntil(() => /\r\n\r\n[\s\S]*ok$/.test(this.text.slice(from)), `the answer to GET ${path}`, 10_000);
    return this.text.slice(from, this.text.indexOf('\r\n\r\n', from)).toLowerCase();
  }

  get isClosed(): boolean {
    return this.socket.destroyed;
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** An upstream that answers /held only when the test lets it, and everything else at once. */
async function holdingUpstream() {
  const held: Array<() => void> = [];
  const handler: UpstreamHandler = (req, res) => {
    const answer = () => res.end('ok');
    if (req.url === '/held') held.push(answer);
    else answer();
  };
  const upstream = await startUpstream(handler);
  return { upstream, held, releaseAll: () => held.splice(0).forEach((answer) => answer()) };
}

/**
 * Sends GET /held and waits until the upstream holds it; resolves, once answered, with
 * "status body", or with the client's error code when the gateway cut it.
 */
async function sendHeld(proxyUrl: string, held: unknown[]): Promise<{ outcome: Promise<string> }> {
  const outcome = request(`${proxyUrl}/held`).then(
    async (res) => `${res.statusCode} ${await res.body.text()}`,
    (error: Error & { code?: string }) => error.code ?? error.message,
  );
  await waitUntil(() => held.length === 1, 'the held request to reach the upstream', 10_000);
  return { outcome };
}

function gatewayConfig(upstreamUrl: string): unknown {
  return { _format_version: '3.0', services: [{ name: 'drained', url: upstreamUrl, routes: [{ name: 'all', paths: ['/'] }] }] };
}

describe('drain', () => {
  it('loses no request of a load loop across SIGTERM: readiness 503 at once, accepting through the delay, in-flight finished, exit 0', async () => {
    const { upstream, held, releaseAll } = await holdingUpstream();
    const gw = await startCli(gatewayConfig(upstream.url), { settings: { DRAIN_DELAY_MS }, listens: ['STATUS_LISTEN'] });
    const statusUrl = `http://127.0.0.1:${gw.ports.STATUS_LISTEN}`;
    const pool = new Pool(gw.proxyUrl, { connections: LOOP_CONCURRENCY });
    let idle: KeptConnection | undefined;
    let reused: KeptConnection | undefined;
    try {
      // Two kept-alive connections made before the drain: one is used again during it, one never.
      idle = await KeptConnection.open(gw.proxyUrl);
      reused = await KeptConnection.open(gw.proxyUrl);
      assert.match(await idle.get('/before'), /^http\/1\.1 200/);
      assert.match(await reused.get('/before'), /^http\/1\.1 200/);
      // In flight across the whole drain: answered only once the listeners are closed.
      const { outcome: inFlight } = await sendHeld(gw.proxyUrl, held);

      // The loop behaves as a load balancer in front of the gateway: it sends until a readiness
      // probe sees 503, then sends no more; every request it sent must be answered.
      const outcomes: string[] = [];
      let started = 0;
      let signalled = false;
      let removed = false;
      let probe: Promise<void> | undefined;
      const loop = async () => {
        while (started < LOOP_REQUESTS && !removed) {
          started++;
          const outcome = await pool.request({ path: `/loop/${started}`, method: 'GET' }).then(
            async (res) => `${res.statusCode} ${await res.body.text()}`,
            (error: Error & { code?: string }) => `failed: ${error.code ?? error.message}`,
          );
          outcomes.push(outcome);
          if (!signalled && outcomes.length >= SIGTERM_AFTER) {
            signalled = true;
            gw.cli.signal('SIGTERM');
            probe = waitUntil(async () => (removed = (await request(`${gw.adminUrl}/status/ready`).then((res) => (void res.body.dump(), res.statusCode))) === 503), 'readiness 503', 15_000);
          }
        }
      };
      await Promise.all(Array.from({ length: LOOP_CONCURRENCY }, loop));
      await probe;

      // Draining: not ready on both probe listeners, still alive, still accepting and answering.
      await gw.cli.waitForLog((l) => l.msg.startsWith('draining: /status/ready answers 503'), 'the drain start');
      for (const url of [gw.adminUrl, statusUrl]) {
        const ready = await request(`${url}/status/ready`);
        assert.equal(ready.statusCode, 503);
        assert.deepEqual(await ready.body.json(), { ready: false, draining: true, config_version: 1 });
        const status = await request(`${url}/status`);
        assert.equal(status.statusCode, 200);
        assert.equal(((await status.body.json()) as { draining: boolean }).draining, true);
      }
      const fresh = await request(`${gw.proxyUrl}/during-the-delay`, { reset: true });
      assert.equal(fresh.statusCode, 200);
      assert.equal(fresh.headers.connection, 'close');
      await fresh.body.dump();
      // A connection kept alive from before the drain: answered, told to close, and closed.
      assert.match(await reused.get('/again'), /^http\/1\.1 200[\s\S]*\r\nconnection: close/);
      await reused.closed;

      // After the delay: no new connection, the idle one closed, the in-flight request still running.
      await gw.cli.waitForLog((l) => l.msg === 'draining: proxy listeners closed; waiting for in-flight requests', 'the listeners to close', 15_000);
      assert.equal(await tryConnect(gw.proxyUrl), 'ECONNREFUSED');
      await idle.closed;
      assert.equal(gw.cli.hasExited, false);
      releaseAll();
      assert.equal(await inFlight, '200 ok');

      assert.deepEqual(await gw.cli.waitForExit(), { code: 0, signal: null }, gw.cli.output());
      assert.ok(outcomes.length > SIGTERM_AFTER, `${outcomes.length} requests sent`);
      assert.equal(outcomes.length, started);
      assert.deepEqual(outcomes.filter((outcome) => outcome !== '200 ok'), []);
      const steps = gw.cli
        .logs()
        .map((l) => l.msg)
        .filter((msg) => msg.startsWith('draining') || msg === 'gatehouse stopped');
      assert.deepEqual(steps, [
        'draining: /status/ready answers 503; the listeners keep accepting for the drain delay',
        'draining: proxy listeners closed; waiting for in-flight requests',
        'draining: in-flight requests finished',
        'draining: config store, plugins and log queues closed',
        'gatehouse stopped',
      ]);
    } finally {
      idle?.destroy();
      reused?.destroy();
      await pool.destroy();
      gw.cli.child.kill('SIGKILL');
      releaseAll();
      await upstream.close();
    }
  });

  it("flushes log queues before it exits: http-log entries held for an hour's batch reach the sink", async () => {
    const [upstream, sink] = await Promise.all([startUpstream(), startSink()]);
    const config = {
      _format_version: '3.0',
      services: [{ name: 'logged', url: upstream.url, routes: [{ name: 'logged', paths: ['/'] }] }],
      // Nothing is sent on its own: a batch waits for 1,000 entries or an hour.
      plugins: [{ name: 'http-log', config: { http_endpoint: sink.url, queue: { max_batch_size: 1000, max_coalescing_delay: 3600 } } }],
    };
    const gw = await startCli(config);
    try {
      for (let i = 0; i < 5; i++) {
        const res = await request(`${gw.proxyUrl}/entry/${i}`);
        assert.equal(res.statusCode, 200);
        await res.body.dump();
      }
      assert.equal(sink.received.length, 0);
      gw.cli.signal('SIGTERM');
      assert.deepEqual(await gw.cli.waitForExit(), { code: 0, signal: null }, gw.cli.output());
      const entries = sink.received.flatMap((batch) => [JSON.parse(batch.body.toString()) as { path: string } | Array<{ path: string }>].flat());
      assert.deepEqual(
        entries.map((entry) => entry.path),
        [0, 1, 2, 3, 4].map((i) => `/entry/${i}`),
      );
    } finally {
      gw.cli.child.kill('SIGKILL');
      await Promise.all([upstream.close(), sink.close()]);
    }
  });

  it('exits at once on a second SIGTERM, cutting what is in flight', async () => {
    const { upstream, held, releaseAll } = await holdingUpstream();
    // A delay no test waits for: only the second signal can end this drain in time.
    const gw = await startCli(gatewayConfig(upstream.url), { settings: { DRAIN_DELAY_MS: '600000' } });
    try {
      const { outcome: inFlight } = await sendHeld(gw.proxyUrl, held);
      gw.cli.signal('SIGTERM');
      await gw.cli.waitForLog((l) => l.msg.startsWith('draining'), 'the drain start');
      gw.cli.signal('SIGTERM');

      assert.deepEqual(await gw.cli.waitForExit(), { code: 143, signal: null }, gw.cli.output());
      assert.ok(gw.cli.logs().some((l) => l.msg === 'exiting at once: open connections are cut' && l.reason === 'second SIGTERM'));
      assert.equal(await inFlight, 'UND_ERR_SOCKET');
    } finally {
      gw.cli.child.kill('SIGKILL');
      releaseAll();
      await upstream.close();
    }
  });

  it('stops waiting after GATEHOUSE_DRAIN_TIMEOUT_MS when an upstream hangs', async () => {
    const { upstream, held, releaseAll } = await holdingUpstream();
    const gw = await startCli(gatewayConfig(upstream.url), { settings: { DRAIN_TIMEOUT_MS: '300' } });
    try {
      const { outcome: inFlight } = await sendHeld(gw.proxyUrl, held);
      gw.cli.signal('SIGTERM');

      assert.deepEqual(await gw.cli.waitForExit(), { code: 0, signal: null }, gw.cli.output());
      assert.ok(gw.cli.logs().some((l) => l.msg === 'drain timeout reached; closing remaining connections' && l.open_connections === 1));
      // The client was cut off rather than answered.
      assert.equal(await inFlight, 'UND_ERR_SOCKET');
    } finally {
      gw.cli.child.kill('SIGKILL');
      releaseAll();
      await upstream.close();
    }
  });
});

describe('gatehouse stop', () => {
  const TOKEN = 'stop-test-admin-token';

  it('drains the instance its GATEHOUSE_ADMIN_LISTEN and token name, and exits 0 once it has', async () => {
    const { upstream, held, releaseAll } = await holdingUpstream();
    const gw = await startCli(gatewayConfig(upstream.url), { settings: { ADMIN_TOKEN: TOKEN, DRAIN_DELAY_MS: '200' } });
    let stop: CliProcess | undefined;
    try {
      const { outcome: inFlight } = await sendHeld(gw.proxyUrl, held);
      // As a preStop hook runs it: in the gateway's container, with the gateway's environment.
      stop = new CliProcess(['stop'], { ADMIN_LISTEN: new URL(gw.adminUrl).host, ADMIN_TOKEN: TOKEN });

      await gw.cli.waitForLog((l) => l.msg === 'draining: proxy listeners closed; waiting for in-flight requests', 'the listeners to close', 15_000);
      assert.equal(gw.cli.logs().find((l) => l.msg.startsWith('draining: /status/ready'))?.reason, 'admin API (gatehouse stop)');
      const ready = await request(`${gw.adminUrl}/status/ready`);
      assert.equal(ready.statusCode, 503);
      await ready.body.dump();
      // Done means done: stop waits for the request still in flight.
      assert.equal(stop.hasExited, false);
      releaseAll();
      assert.equal(await inFlight, '200 ok');

      assert.deepEqual(await stop.waitForExit(), { code: 0, signal: null }, stop.output());
      assert.match(stop.stdout.join('\n'), /is draining \(delay 200 ms, then up to 30000 ms for in-flight requests\)[\s\S]*drained in \d+ ms/);
      // Kubernetes sends SIGTERM once the hook has returned: it ends the instance's last wait (a second
      // of grace for the hook's runtime) and is not taken for a second stop signal (exit 143).
      gw.cli.child.kill('SIGTERM');
      assert.deepEqual(await gw.cli.waitForExit(), { code: 0, signal: null }, gw.cli.output());
      // Answered before the instance exited, which waited for it to hang up: a preStop hook still
      // running when its container's main process ends is killed with it (137).
      assert.ok(gw.cli.logs().some((l) => l.msg.startsWith('drained: the callers waiting for it are answered') && l.callers === 1), gw.cli.output());
      assert.ok(!gw.cli.logs().some((l) => l.msg.startsWith('drained: callers answered still hold')), 'stop hung up by exiting');
    } finally {
      stop?.child.kill('SIGKILL');
      gw.cli.child.kill('SIGKILL');
      releaseAll();
      await upstream.close();
    }
  });

  it('answers POST /drain?wait=true in two lines, the second once drained, and exits only after the caller hung up', async () => {
    const upstream = await startUpstream();
    const gw = await startCli(gatewayConfig(upstream.url), { settings: { ADMIN_TOKEN: TOKEN, DRAIN_DELAY_MS: '0' } });
    const { hostname, port } = new URL(gw.adminUrl);
    const caller = connect(Number(port), hostname);
    try {
      let answer = '';
      caller.setEncoding('latin1');
      caller.on('data', (chunk: string) => (answer += chunk));
      caller.write(`POST /drain?wait=true HTTP/1.1\r\nHost: ${gw.adminUrl.slice(7)}\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Length: 0\r\n\r\n`);
      // The whole answer (chunked: it ends with the zero-length chunk), the connection kept open.
      await waitUntil(() => answer.endsWith('0\r\n\r\n'), 'the whole answer', 15_000);
      assert.match(answer, /^HTTP\/1\.1 202 [\s\S]*\r\nconnection: keep-alive\r\n/i);
      const lines = answer.split('\r\n\r\n')[1]!.split('\r\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>);
      assert.deepEqual(lines[0], { draining: true, drain_delay_ms: 0, drain_timeout_ms: 30000 });
      assert.equal(lines[1]?.drained, true);
      // Holding the connection holds the exit (for at most 2 s), which then says why it waited.
      const held = await gw.cli.waitForLog((l) => l.msg === 'drained: callers answered still hold their connections; exiting anyway', 'the hang-up wait to end', 15_000);
      assert.equal(held.callers, 1);
      assert.deepEqual(await gw.cli.waitForExit(), { code: 0, signal: null }, gw.cli.output());
    } finally {
      caller.destroy();
      gw.cli.child.kill('SIGKILL');
      await upstream.close();
    }
  });

  it('exits 1 and leaves the instance serving when the admin token is wrong', async () => {
    const upstream = await startUpstream();
    const gw = await startCli(gatewayConfig(upstream.url), { settings: { ADMIN_TOKEN: TOKEN } });
    try {
      const run = await runCli(['stop', '--admin-url', gw.adminUrl, '--token', 'not-the-admin-token']);
      assert.equal(run.code, 1);
      assert.match(run.stderr.join('\n'), /^gatehouse stop: 401: Unauthorized$/);
      const ready = await request(`${gw.adminUrl}/status/ready`);
      assert.equal(ready.statusCode, 200);
      await ready.body.dump();
    } finally {
      await gw.cli.stop();
      await upstream.close();
    }
  });

  it('exits 0 when nothing answers: there is nothing left to drain', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const run = await runCli(['stop', '--admin-url', url]);
    assert.equal(run.code, 0, run.stderr.join('\n'));
    assert.deepEqual(run.stdout, [`gatehouse stop: nothing answers at ${url}; nothing to drain`]);
  });
});
