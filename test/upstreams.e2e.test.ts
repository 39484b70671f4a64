/** Black-box: upstream entities with targets — balancing algorithms, retries, no healthy target, keep-alive. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { startTestGateway, type TestGateway } from './helpers/gateway.js';
import { closedPort, startUpstream, type TestUpstream } from './helpers/upstream.js';

describe('upstreams and targets', () => {
  const backends: TestUpstream[] = [];
  let refused: number;
  let gw: TestGateway;
  /** Backend index → releases the request it is holding. */
  const held = new Map<number, () => void>();

  before(async () => {
    for (let i = 0; i < 3; i++) {
      backends.push(
        await startUpstream((req, res) => {
          res.setHeader('x-backend', String(i));
          if (req.url?.includes('hold')) {
            held.set(i, () => res.end('held'));
            return;
          }
          res.end(String(i));
        }),
      );
    }
    refused = await closedPort();
    const target = (b: TestUpstream, weight = 100) => ({ target: `127.0.0.1:${b.port}`, weight });
    const service = (name: string, host: string, extra: Record<string, unknown> = {}) => ({ name, host, port: 80, protocol: 'http', ...extra, routes: [{ name, paths: [`/${name}`] }] });
    gw = await startTestGateway({
      _format_version: '3.0',
      upstreams: [
        { name: 'weighted', targets: [target(backends[0]!, 300), target(backends[1]!, 100)] },
        { name: 'least', algorithm: 'least-connections', targets: [target(backends[0]!), target(backends[1]!)] },
        { name: 'hashed', algorithm: 'consistent-hashing', hash_on: 'header', hash_on_header: 'x-user', targets: backends.map((b) => target(b)) },
        // One upstream per test: passive health checks take a target out after repeated failures.
        ...['flaky', 'flaky-no-retry', 'flaky-body'].map((name) => ({ name, targets: [{ target: `127.0.0.1:${refused}`, weight: 100 }, target(backends[2]!)] })),
        { name: 'empty', targets: [{ target: `127.0.0.1:${backends[0]!.port}`, weight: 0 }] },
      ],
      services: [
        service('weighted', 'weighted'),
        service('least', 'least'),
        service('hashed', 'hashed'),
        service('flaky', 'flaky', { retries: 1 }),
        service('flaky-no-retry', 'flaky-no-retry', { retries: 0 }),
        service('flaky-body', 'flaky-body', { retries: 3 }),
        service('empty', 'empty'),
      ],
    });
  });
  after(async () => {
    await gw.close();
    await Promise.all(backends.map((b) => b.close()));
  });

  async function backendOf(path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<string> {
    const res = await request(`${gw.url}${path}`, { headers, method });
    await res.body.dump();
    return String(res.headers['x-backend'] ?? res.statusCode);
  }

  it('round-robin follows target weights exactly (smooth weighted)', async () => {
    const counts: Record<string, number> = {};
    for (let i = 0; i < 40; i++) {
      const b = await backendOf('/weighted');
      counts[b] = (counts[b] ?? 0) + 1;
    }
    assert.deepEqual(counts, { '0': 30, '1': 10 });
  });

  it('sends the Host of the upstream name', async () => {
    const res = await request(`${gw.url}/weighted`);
    await res.body.dump();
    const seen = [...backends[0]!.seen, ...backends[1]!.seen].at(-1)!;
    assert.equal(seen.headers.host, 'weighted');
  });

  it('least-connections avoids the target that is busy', async () => {
    const pending = request(`${gw.url}/least/hold`);
    for (let i = 0; i < 100 && held.size === 0; i++) await new Promise((r) => setTimeout(r, 10));
    const [busy] = [...held.keys()];
    assert.ok(busy === 0 || busy === 1, 'the held request reached a target');
    const picks = new Set<string>();
    for (let i = 0; i < 6; i++) picks.add(await backendOf('/least/x'));
    assert.deepEqual([...picks], [String(1 - busy!)]);
    held.get(busy!)!();
    await (await pending).body.dump();
  });

  it('consistent-hashing keeps one key on one target and spreads keys', async () => {
    const byUser = new Map<string, string>();
    for (let u = 0; u < 30; u++) byUser.set(`user-${u}`, await backendOf('/hashed', { 'x-user': `user-${u}` }));
    for (let u = 0; u < 30; u++) assert.equal(await backendOf('/hashed', { 'x-user': `user-${u}` }), byUser.get(`user-${u}`));
    assert.ok(new Set(byUser.values()).size >= 2, 'keys spread over several targets');
  });

  it('retries a refused connection on another target for idempotent requests', async () => {
    for (let i = 0; i < 6; i++) assert.equal(await backendOf('/flaky'), '2');
  });

  it('does not retry when retries is 0, and never retries a request with a body', async () => {
    const outcomes = new Set<string>();
    for (let i = 0; i < 6; i++) outcomes.add(await backendOf('/flaky-no-retry'));
    assert.deepEqual([...outcomes].sort(), ['2', '502']);
    const bodyOutcomes = new Set<string>();
    for (let i = 0; i < 6; i++) {
      const res = await request(`${gw.url}/flaky-body`, { method: 'PUT', body: 'payload' });
      await res.body.dump();
      bodyOutcomes.add(String(res.headers['x-backend'] ?? res.statusCode));
    }
    assert.ok(bodyOutcomes.has('502'), 'a PUT with a body is not replayed');
  });

  it('answers 503 no_healthy_upstream when no target can take traffic', async () => {
    const res = await request(`${gw.url}/empty`);
    assert.equal(res.statusCode, 503);
    assert.equal(((await res.body.json()) as { error: string }).error, 'no_healthy_upstream');
  });

  it('keeps upstream connections alive across requests', async () => {
    const keepAlive = await startUpstream();
    let connections = 0;
    keepAlive.server.on('connection', () => connections++);
    const gw2 = await startTestGateway({ _format_version: '3.0', services: [{ name: 'ka', url: keepAlive.url, routes: [{ name: 'ka', paths: ['/ka'] }] }] });
    try {
      for (let i = 0; i < 20; i++) await (await request(`${gw2.url}/ka`)).body.dump();
      assert.equal(connections, 1);
    } finally {
      await gw2.close();
      await keepAlive.close();
    }
  });
});
