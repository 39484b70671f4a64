/**
 * Black-box: Kong's active and passive health checks against real upstream processes that die, hang,
 * answer 500s and come back; a target's circuit opening, half-opening (one request let through) and
 * closing; the admin API's health endpoints; and `/status`, `/health` and the metrics agreeing
 * throughout. One gateway, no Redis: it probes for itself.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { adminClient } from './helpers/admin.js';
import { eventuallyAsync, startTestGateway, type TestGateway } from './helpers/gateway.js';
import { agreedHealth, healthOf, statusTargets, waitForHealth, type TargetView } from './helpers/health-views.js';
import { PROBE_PATH, startSwitchableUpstream, type SwitchableUpstream } from './helpers/switchable-upstream.js';

/** Probes every 0.1 s; two results in a row decide. */
const ACTIVE = {
  http_path: PROBE_PATH,
  timeout: 0.2,
  healthy: { interval: 0.1, successes: 2 },
  unhealthy: { interval: 0.1, tcp_failures: 2, timeouts: 2, http_failures: 2 },
};
const PASSIVE_OFF = { unhealthy: { tcp_failures: 0, timeouts: 0 } };

async function call(url: string): Promise<{ status: number; backend: string | null; error: string | null }> {
  const res = await request(url);
  const text = await res.body.text();
  return { status: res.statusCode, backend: (res.headers['x-backend'] as string | undefined) ?? null, error: res.statusCode >= 500 && !res.headers['x-backend'] ? (JSON.parse(text) as { error: string }).error : null };
}

const all = (state: string) => (views: Map<string, TargetView>) => [...views.values()].every((v) => v.health === state);

describe('health checks', () => {
  const ups: Record<string, SwitchableUpstream> = {};
  let gw: TestGateway;
  const target = (name: string) => ({ target: ups[name]!.address });
  const service = (name: string, extra: Record<string, unknown> = {}) => ({ name, host: name, port: 80, retries: 0, read_timeout: 300, ...extra, routes: [{ name, paths: [`/${name}`] }] });

  before(async () => {
    for (const name of ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j']) ups[name] = await startSwitchableUpstream(name);
    gw = await startTestGateway({
      _format_version: '3.0',
      upstreams: [
        { name: 'probed', healthchecks: { active: ACTIVE, passive: PASSIVE_OFF }, targets: [target('a'), target('b'), target('c')] },
        {
          name: 'passive',
          healthchecks: { passive: { unhealthy: { http_failures: 2 }, circuit_breaker: { cooldown: 0.3 } } },
          targets: [target('d'), target('e')],
        },
        { name: 'broken', healthchecks: { passive: { unhealthy: { tcp_failures: 2, timeouts: 2 } } }, targets: [target('h'), target('i'), target('j')] },
        { name: 'manual', targets: [target('f'), target('g')] },
        { name: 'unchecked', healthchecks: { passive: PASSIVE_OFF }, targets: [target('j')] },
      ],
      services: [service('probed'), service('passive'), service('broken'), service('manual'), service('unchecked')],
    });
  });
  after(async () => {
    await gw?.close();
    await Promise.all(Object.values(ups).map((u) => u.stop()));
  });

  const backends = async (path: string, count: number) => {
    const seen: string[] = [];
    for (let i = 0; i < count; i++) {
      const answer = await call(`${gw.url}${path}`);
      seen.push(answer.backend === null ? `${answer.status} ${answer.error}` : answer.status === 200 ? answer.backend : `${answer.backend} ${answer.status}`);
    }
    return seen;
  };

  it('active checks take out targets that die, answer 500s or hang, answer 503 when none is left, and bring them back', async () => {
    await waitForHealth(gw.adminUrl, 'probed', all('HEALTHY'), 'all probed targets healthy');
    await ups.b!.stop();
    ups.c!.mode = 'error';
    await waitForHealth(gw.adminUrl, 'probed', (v) => v.get(ups.b!.address)?.health === 'UNHEALTHY' && v.get(ups.c!.address)?.health === 'UNHEALTHY', 'b and c unhealthy');
    assert.equal((await healthOf(gw.adminUrl, 'probed')).get(ups.a!.address)!.health, 'HEALTHY');
    assert.deepEqual(new Set(await backends('/probed', 12)), new Set(['a']));
    const reasons = await statusTargets(gw.adminUrl, 'probed');
    assert.match(reasons.get(ups.b!.address)!.unhealthy_reason, /2 probe TCP failures in a row \(last: probe ECONNREFUSED 127\.0\.0\.1:\d+\)/);
    assert.match(reasons.get(ups.c!.address)!.unhealthy_reason, /2 probe HTTP failures in a row \(last: probe got HTTP 500/);

    ups.a!.mode = 'hang';
    await waitForHealth(gw.adminUrl, 'probed', all('UNHEALTHY'), 'every probed target unhealthy');
    assert.match((await statusTargets(gw.adminUrl, 'probed')).get(ups.a!.address)!.unhealthy_reason, /2 probe timeouts in a row/);
    assert.deepEqual(await call(`${gw.url}/probed`), { status: 503, backend: null, error: 'no_healthy_upstream' });
    const status = (await adminClient(gw.adminUrl)('GET', '/status')).body;
    assert.equal(status.upstreams.find((u: { name: string }) => u.name === 'probed').health, 'unhealthy');
    assert.deepEqual(status.health_checks, { mode: 'local', reason: 'no Redis: each instance runs its own checks', probing: ['probed'], node_id: status.health_checks.node_id });

    ups.a!.mode = 'ok';
    ups.c!.mode = 'ok';
    await ups.b!.restart();
    await waitForHealth(gw.adminUrl, 'probed', all('HEALTHY'), 'all probed targets back');
    assert.deepEqual(new Set(await backends('/probed', 12)), new Set(['a', 'b', 'c']));
    for (const name of ['a', 'b', 'c']) assert.ok(ups[name]!.probes > 0, `${name} was probed`);
    for (const name of ['d', 'e', 'f']) assert.equal(ups[name]!.probes, 0, `${name}'s upstream has no active checks`);
  });

  it('opens a circuit on passive failures, lets exactly one trial through after the cool-down, re-opens on its failure and closes on its success', async () => {
    const d = ups.d!;
    d.mode = 'error';
    // Round-robin over d and e: d's second 500 opens its circuit.
    const before = await backends('/passive', 4);
    assert.deepEqual(before.filter((b) => b === 'd 500').length, 2, 'the 500s are proxied as they came');
    let views = await agreedHealth(gw.adminUrl, 'passive');
    assert.deepEqual(views.get(d.address), { health: 'UNHEALTHY', circuit: 'open' });
    assert.match((await statusTargets(gw.adminUrl, 'passive')).get(d.address)!.unhealthy_reason, /circuit open: 2 HTTP failures in a row \(last: HTTP 500 from/);
    assert.deepEqual(new Set(await backends('/passive', 6)), new Set(['e']), 'an open circuit takes no traffic');

    // After the cool-down one request is the trial; it fails (500) and the circuit opens again.
    const trafficBefore = d.traffic;
    await eventuallyAsync(async () => ((await backends('/passive', 1))[0] === 'd 500' ? true : undefined), 'the first trial reaches d', 10_000);
    assert.equal(d.traffic, trafficBefore + 1);
    views = await agreedHealth(gw.adminUrl, 'passive');
    assert.equal(views.get(d.address)!.circuit, 'open');

    // The next trial is held by d: half-open, and every other request goes to e meanwhile.
    d.mode = 'hold';
    const sent: Promise<{ backend: string | null }>[] = [];
    await eventuallyAsync(async () => {
      if (d.held === 1) return true;
      sent.push(call(`${gw.url}/passive`));
      await new Promise((resolve) => setTimeout(resolve, 20));
      return undefined;
    }, 'the second trial reaches d');
    views = await agreedHealth(gw.adminUrl, 'passive');
    assert.deepEqual(views.get(d.address), { health: 'UNHEALTHY', circuit: 'half_open' });
    assert.deepEqual(new Set(await backends('/passive', 8)), new Set(['e']));
    assert.equal(d.traffic, trafficBefore + 2, 'exactly one request let through while half-open');

    d.mode = 'ok';
    d.release();
    assert.equal((await Promise.all(sent)).filter((answer) => answer.backend === 'd').length, 1, 'the trial was answered by d');
    views = await waitForHealth(gw.adminUrl, 'passive', (v) => v.get(d.address)!.circuit === 'closed', 'the circuit closes');
    assert.equal(views.get(d.address)!.health, 'HEALTHY');
    assert.deepEqual(new Set(await backends('/passive', 6)), new Set(['d', 'e']));
  });

  it('passive checks see a target that dies and one that hangs: 502/504 until their circuits open, then only the live one serves', async () => {
    await ups.h!.stop();
    ups.i!.mode = 'hang';
    const answers = await backends('/broken', 9);
    assert.ok(answers.includes('502 upstream_unavailable') && answers.includes('504 upstream_timeout'), answers.join(', '));
    const reasons = await statusTargets(gw.adminUrl, 'broken');
    assert.match(reasons.get(ups.h!.address)!.unhealthy_reason, /circuit open: 2 TCP failures in a row \(last: ECONNREFUSED/);
    assert.match(reasons.get(ups.i!.address)!.unhealthy_reason, /circuit open: 2 timeouts in a row \(last: UND_ERR_HEADERS_TIMEOUT/);
    assert.deepEqual(new Set(await backends('/broken', 6)), new Set(['j']));
    await agreedHealth(gw.adminUrl, 'broken');
  });

  it("answers Kong's GET /upstreams/{u}/health and PUT .../healthy|unhealthy (file mode included), and keeps the verdict across config reloads", async () => {
    const admin = adminClient(gw.adminUrl);
    const health = await admin('GET', '/upstreams/manual/health');
    assert.equal(health.status, 200);
    assert.equal(health.body.total, 2);
    assert.equal(health.body.next, null);
    assert.equal(typeof health.body.node_id, 'string');
    const f = health.body.data[0];
    assert.deepEqual(
      { target: f.target, weight: f.weight, health: f.health, circuit: f.circuit, addresses: f.data.addresses },
      { target: ups.f!.address, weight: 100, health: 'HEALTHY', circuit: 'closed', addresses: [{ ip: '127.0.0.1', port: ups.f!.port, health: 'HEALTHY', weight: 100 }] },
    );
    assert.match(f.id, /^[0-9a-f-]{36}$/);

    assert.equal((await admin('PUT', `/upstreams/manual/targets/${ups.f!.address}/unhealthy`)).status, 204);
    assert.equal((await healthOf(gw.adminUrl, 'manual')).get(ups.f!.address)!.health, 'UNHEALTHY');
    assert.deepEqual(new Set(await backends('/manual', 6)), new Set(['g']));
    const balancer = await admin('GET', '/upstreams/manual/health?balancer_health=1');
    assert.deepEqual(balancer.body.data.details.weight, { total: 200, available: 100, unavailable: 100 });
    assert.equal(balancer.body.data.health, 'HEALTHY');

    // A new config version (a reload here, an admin write with Redis) keeps what is known of the target.
    const config = { ...(await admin('GET', '/config')).body };
    config.services.push({ name: 'extra', url: `http://${ups.g!.address}`, routes: [{ name: 'extra', paths: ['/extra'] }] });
    await gw.writeConfig(config);
    assert.equal((await gw.gateway.reload()).ok, true);
    assert.equal((await agreedHealth(gw.adminUrl, 'manual')).get(ups.f!.address)!.health, 'UNHEALTHY');

    assert.equal((await admin('PUT', `/upstreams/manual/targets/${f.id}/healthy`)).status, 204);
    assert.equal((await agreedHealth(gw.adminUrl, 'manual')).get(ups.f!.address)!.health, 'HEALTHY');
    assert.deepEqual(new Set(await backends('/manual', 6)), new Set(['f', 'g']));
    assert.equal((await admin('PUT', '/upstreams/manual/targets/127.0.0.1:1/unhealthy')).status, 404);
    // Nothing checks a target of an upstream without probes and passive rules: Kong's HEALTHCHECKS_OFF.
    assert.deepEqual((await agreedHealth(gw.adminUrl, 'unchecked')).get(ups.j!.address), { health: 'HEALTHCHECKS_OFF', circuit: 'closed' });
    assert.equal((await admin('GET', '/upstreams/unchecked/health?balancer_health=1')).body.data.health, 'HEALTHCHECKS_OFF');
    assert.equal((await admin('GET', '/upstreams/nope/health')).status, 404);
  });
});
