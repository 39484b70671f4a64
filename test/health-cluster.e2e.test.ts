/**
 * Black-box: two `gatehouse start` processes sharing target health through a private Redis. Only the
 * instance holding an upstream's lease probes it (the upstream counts the probes and sees who sent
 * them); a target the prober finds dead, or one instance's traffic finds failing, is avoided by both,
 * and its recovery spreads the same way; with Redis gone each instance checks for itself and says so
 * on /status; when the prober crashes the other takes over. Propagation times are printed, not asserted.
 */
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { stringify } from 'yaml';
import { startTestRedis, type TestRedis } from '../support/redis.js';
import { adminClient } from './helpers/admin.js';
import { waitUntil } from './helpers/cli.js';
import { startGatewayProcess, type GatewayProcess } from './helpers/gateway-process.js';
import { healthOf, waitForHealth } from './helpers/health-views.js';
import { PROBE_PATH, startSwitchableUpstream, type SwitchableUpstream } from './helpers/switchable-upstream.js';

const PROBED = 'probed.internal';
const PASSIVE = 'passive.internal';

async function healthChecks(gw: GatewayProcess): Promise<{ mode: string; reason: string | null; probing: string[]; node_id: string }> {
  return (await adminClient(gw.adminUrl)('GET', '/status')).body.health_checks;
}

async function backendOf(url: string): Promise<string> {
  const res = await request(url);
  await res.body.dump();
  return `${String(res.headers['x-backend'] ?? '-')} ${res.statusCode}`;
}

describe('health shared by two instances through Redis', () => {
  let redis: TestRedis;
  let x: SwitchableUpstream;
  let y: SwitchableUpstream;
  let z: SwitchableUpstream;
  let w: SwitchableUpstream;
  let a: GatewayProcess;
  let b: GatewayProcess;

  before(async () => {
    redis = await startTestRedis();
    x = await startSwitchableUpstream('x');
    y = await startSwitchableUpstream('y');
    z = await startSwitchableUpstream('z');
    w = await startSwitchableUpstream('w');
    const dir = await mkdtemp(join(tmpdir(), 'gatehouse-health-cluster-'));
    const seed = join(dir, 'seed.yaml');
    await writeFile(
      seed,
      stringify({
        _format_version: '3.0',
        upstreams: [
          {
            name: PROBED,
            healthchecks: {
              active: { http_path: PROBE_PATH, timeout: 0.2, healthy: { interval: 0.1, successes: 2 }, unhealthy: { interval: 0.1, tcp_failures: 2, http_failures: 2, timeouts: 2 } },
              passive: { unhealthy: { tcp_failures: 0, timeouts: 0 } },
            },
            targets: [{ target: x.address }, { target: y.address }],
          },
          { name: PASSIVE, healthchecks: { passive: { unhealthy: { http_failures: 2 }, circuit_breaker: { cooldown: 0.5 } } }, targets: [{ target: z.address }, { target: w.address }] },
        ],
        services: [
          { name: 'probed', host: PROBED, retries: 0, routes: [{ name: 'probed', paths: ['/probed'] }] },
          { name: 'passive', host: PASSIVE, retries: 0, routes: [{ name: 'passive', paths: ['/passive'] }] },
        ],
      }),
    );
    const settings = (name: string) => ({ REDIS_URL: redis.url, CONFIG: seed, SNAPSHOT: join(dir, `${name}.json`), DRAIN_TIMEOUT_MS: '1000' });
    a = await startGatewayProcess(settings('a'));
    b = await startGatewayProcess(settings('b'));
  });
  after(async () => {
    await Promise.all([a, b].filter(Boolean).map((gw) => gw.stop()));
    await Promise.all([x, y, z, w].filter(Boolean).map((u) => u.stop()));
    await redis?.close();
  });

  /** The instance probing PROBED, once exactly one does. */
  async function prober(candidates: GatewayProcess[]): Promise<{ prober: GatewayProcess; nodeId: string }> {
    let found: { prober: GatewayProcess; nodeId: string } | null = null;
    await waitUntil(
      async () => {
        const states = await Promise.all(candidates.map(healthChecks));
        const probing = candidates.filter((_, i) => states[i]!.probing.includes(PROBED));
        if (probing.length !== 1 || states.some((s) => s.mode !== 'shared')) return false;
        found = { prober: probing[0]!, nodeId: states[candidates.indexOf(probing[0]!)]!.node_id };
        return true;
      },
      'exactly one instance probing',
      15_000,
    );
    return found!;
  }

  it('probes each upstream from one instance only: the upstream sees probes from that instance alone', async () => {
    const { nodeId } = await prober([a, b]);
    const seen = x.probeAgents.length;
    await waitUntil(() => x.probeAgents.length >= seen + 10 && y.probeAgents.length >= 10, 'ten more probes', 10_000);
    const agents = new Set(x.probeAgents.slice(seen));
    assert.deepEqual([...agents], [`gatehouse-healthcheck (${nodeId})`]);
    const other = (await Promise.all([a, b].map(healthChecks))).find((s) => s.node_id !== nodeId)!;
    assert.deepEqual(other.probing, []);
    assert.equal(other.reason, null);
  });

  it('a target the prober finds dead is avoided by both instances, and its recovery reaches both', async () => {
    await waitForHealth(a.adminUrl, PROBED, (v) => [...v.values()].every((t) => t.health === 'HEALTHY'), 'all healthy on a');
    const killedAt = performance.now();
    await y.stop();
    const seenBy = await Promise.all(
      [a, b].map(async (gw) => {
        await waitForHealth(gw.adminUrl, PROBED, (v) => v.get(y.address)?.health === 'UNHEALTHY', 'y unhealthy', 10_000);
        return performance.now() - killedAt;
      }),
    );
    console.log(`target killed → unhealthy on instance a after ${seenBy[0]!.toFixed(0)} ms, on b after ${seenBy[1]!.toFixed(0)} ms (probes every 100 ms, 2 failures decide)`);
    for (const gw of [a, b]) for (let i = 0; i < 6; i++) assert.equal(await backendOf(`${gw.proxyUrl}/probed`), 'x 200');

    await y.restart();
    await Promise.all([a, b].map((gw) => waitForHealth(gw.adminUrl, PROBED, (v) => v.get(y.address)?.health === 'HEALTHY', 'y healthy again', 10_000)));
    const answers = new Set<string>();
    for (const gw of [a, b]) for (let i = 0; i < 6; i++) answers.add(await backendOf(`${gw.proxyUrl}/probed`));
    assert.deepEqual(answers, new Set(['x 200', 'y 200']));
  });

  it("one instance's traffic opening a circuit takes the target out on the other, and its closing brings it back there", async () => {
    z.mode = 'error';
    // Only a sends traffic: its round-robin reaches z twice within four requests.
    for (let i = 0; i < 4; i++) await backendOf(`${a.proxyUrl}/passive`);
    const openedAt = performance.now();
    const views = await waitForHealth(b.adminUrl, PASSIVE, (v) => v.get(z.address)?.circuit === 'open', 'z open on b', 10_000);
    console.log(`circuit opened on a → open on b after ${(performance.now() - openedAt).toFixed(0)} ms`);
    assert.equal(views.get(z.address)!.health, 'UNHEALTHY');
    const reachedZ = z.traffic;
    for (let i = 0; i < 8; i++) assert.equal(await backendOf(`${b.proxyUrl}/passive`), 'w 200');
    assert.equal(z.traffic, reachedZ, 'b sent z nothing');

    // After the cool-down a's trial succeeds and closes the circuit everywhere.
    z.mode = 'ok';
    await waitUntil(async () => (await backendOf(`${a.proxyUrl}/passive`)) === 'z 200', 'a trial reaches z', 10_000);
    await waitForHealth(b.adminUrl, PASSIVE, (v) => v.get(z.address)?.circuit === 'closed', 'z closed on b', 10_000);
    const answers = new Set<string>();
    for (let i = 0; i < 6; i++) answers.add(await backendOf(`${b.proxyUrl}/passive`));
    assert.deepEqual(answers, new Set(['z 200', 'w 200']));
  });

  it('an admin call on one instance sets the target on both', async () => {
    const admin = adminClient(a.adminUrl);
    assert.equal((await admin('PUT', `/upstreams/${PASSIVE}/targets/${w.address}/unhealthy`)).status, 204);
    await waitForHealth(b.adminUrl, PASSIVE, (v) => v.get(w.address)?.health === 'UNHEALTHY', 'w unhealthy on b', 10_000);
    assert.equal((await adminClient(b.adminUrl)('PUT', `/upstreams/${PASSIVE}/targets/${w.address}/healthy`)).status, 204);
    await waitForHealth(a.adminUrl, PASSIVE, (v) => v.get(w.address)?.health === 'HEALTHY', 'w healthy on a', 10_000);
  });

  it('with Redis unreachable each instance checks for itself and says so on /status; shared again once it is back', async () => {
    await redis.stop();
    await waitUntil(async () => (await Promise.all([a, b].map(healthChecks))).every((s) => s.mode === 'local' && s.probing.includes(PROBED)), 'both local and probing', 15_000);
    const state = await healthChecks(a);
    assert.equal(state.reason, 'Redis is unreachable: this instance runs its own checks until it is back');
    const nodes = new Set((await Promise.all([a, b].map(healthChecks))).map((s) => `gatehouse-healthcheck (${s.node_id})`));
    const seen = x.probeAgents.length;
    await waitUntil(() => new Set(x.probeAgents.slice(seen)).size === 2, 'probes from both instances', 10_000);
    assert.deepEqual(new Set(x.probeAgents.slice(seen)), nodes);
    // Each instance still takes a dead target out by itself.
    await x.stop();
    for (const gw of [a, b]) await waitForHealth(gw.adminUrl, PROBED, (v) => v.get(x.address)?.health === 'UNHEALTHY', 'x unhealthy locally', 10_000);
    await x.restart();

    await redis.start();
    await prober([a, b]);
    for (const gw of [a, b]) await waitForHealth(gw.adminUrl, PROBED, (v) => [...v.values()].every((t) => t.health === 'HEALTHY'), 'all healthy again', 10_000);
  });

  it('another instance takes over probing when the prober crashes', async () => {
    const { prober: first } = await prober([a, b]);
    const survivor = first === a ? b : a;
    const crashedAt = performance.now();
    await first.crash();
    const { nodeId } = await prober([survivor]);
    console.log(`prober crashed → the other instance probes after ${(performance.now() - crashedAt).toFixed(0)} ms (lease TTL 3 s)`);
    const seen = x.probeAgents.length;
    await waitUntil(() => x.probeAgents.length >= seen + 3, 'probes from the new prober', 10_000);
    assert.deepEqual(new Set(x.probeAgents.slice(seen)), new Set([`gatehouse-healthcheck (${nodeId})`]));
    assert.equal((await healthOf(survivor.adminUrl, PROBED)).size, 2);
  });
});
