/**
 * Black-box: the canary plugin in front of real upstreams that tag their answers — a fixed percentage
 * with sticky users, ACL groups, upstream_uri and the override header, upstream_fallback when the
 * canary upstream has no healthy target, and a timed 0 → 100% rollout under a load generator that
 * counts every response: none fails, each comes from the side the rule gives its user at that time,
 * and no user ever goes back. The access log and metrics name the side by service.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { hash32 } from '../../../src/plugin-kit/index.js';
import { adminClient } from '../../../test/helpers/admin.js';
import { eventually, startTestGateway, type TestGateway } from '../../../test/helpers/gateway.js';
import { startSwitchableUpstream, type SwitchableUpstream } from '../../../test/helpers/switchable-upstream.js';
import { Rollout } from '../rollout.js';
import type { CanaryConfig } from '../schema.js';

const ROLLOUT = { duration: 3, steps: 6, hash: 'header', hash_header: 'x-user' } as const;

interface Answer {
  status: number;
  backend: string;
  requestId: string;
}

async function call(url: string, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await request(url, { headers });
  await res.body.dump();
  return { status: res.statusCode, backend: String(res.headers['x-backend'] ?? '-'), requestId: String(res.headers['x-request-id']) };
}

describe('canary', () => {
  const ups: Record<string, SwitchableUpstream> = {};
  let gw: TestGateway;
  let rolloutStart: number;
  const side = (backend: string) => (backend.startsWith('canary') ? 'canary' : backend === 'stable' ? 'stable' : `unexpected ${backend}`);

  before(async () => {
    for (const name of ['stable', 'canary-1', 'canary-2', 'canary-fb']) ups[name] = await startSwitchableUpstream(name);
    rolloutStart = Date.now() / 1000 + 1;
    const canary = (config: Record<string, unknown>) => ({ name: 'canary', config: { upstream_host: 'orders-v2.internal', ...config } });
    const route = (name: string, plugins: unknown[]) => ({ name, paths: [`/${name}`], plugins });
    gw = await startTestGateway({
      _format_version: '3.0',
      upstreams: [
        { name: 'orders-v2.internal', targets: [{ target: ups['canary-1']!.address }, { target: ups['canary-2']!.address }] },
        { name: 'fallback-v2.internal', targets: [{ target: ups['canary-fb']!.address }] },
      ],
      consumers: [
        { username: 'alice', keyauth_credentials: [{ key: 'alice-key' }], acls: [{ group: 'beta' }] },
        { username: 'bob', keyauth_credentials: [{ key: 'bob-key' }], acls: [{ group: 'staff' }] },
      ],
      services: [
        {
          name: 'orders',
          url: `http://${ups.stable!.address}`,
          routes: [
            route('fixed', [canary({ percentage: 30, hash: 'header', hash_header: 'x-user' })]),
            route('groups', [{ name: 'key-auth' }, canary({ hash: 'allow', groups: ['beta'] })]),
            route('uri', [canary({ percentage: 100, hash: 'none', upstream_uri: '/v2/echo', canary_by_header_name: 'x-canary' })]),
            route('fallback', [canary({ percentage: 100, upstream_host: 'fallback-v2.internal', upstream_fallback: true })]),
            route('rollout', [canary({ ...ROLLOUT, start: rolloutStart })]),
          ],
        },
      ],
      plugins: [{ name: 'prometheus', config: { status_code_metrics: true } }],
    });
  });
  after(async () => {
    await gw?.close();
    await Promise.all(Object.values(ups).map((u) => u.stop()));
  });

  /** The access log's service for each request ID, once every one of `answers` is logged. */
  async function loggedServices(answers: Answer[]): Promise<Map<string, string>> {
    const wanted = new Set(answers.map((a) => a.requestId));
    return eventually(() => {
      const services = new Map(gw.accessLogs().filter((line) => wanted.has(line.request_id as string)).map((line) => [line.request_id as string, line.service as string]));
      return services.size === wanted.size ? services : undefined;
    }, 'access-log lines of every request');
  }

  it('sends a fixed share of users to the canary, each user always to the same side, and logs and counts the side by service', async () => {
    const answers: Answer[] = [];
    const sides = new Map<string, Set<string>>();
    for (let round = 0; round < 5; round++) {
      for (let u = 0; u < 60; u++) {
        const answer = await call(`${gw.url}/fixed`, { 'x-user': `user-${u}` });
        assert.equal(answer.status, 200);
        answers.push(answer);
        const seen = sides.get(`user-${u}`) ?? new Set();
        seen.add(side(answer.backend));
        sides.set(`user-${u}`, seen);
      }
    }
    for (const [user, seen] of sides) assert.equal(seen.size, 1, `${user} stayed on one side: ${[...seen].join(', ')}`);
    const canaryUsers = [...sides.values()].filter((seen) => seen.has('canary')).length;
    assert.ok(canaryUsers >= 9 && canaryUsers <= 27, `${canaryUsers} of 60 users on a 30% canary`);
    assert.ok(answers.some((a) => a.backend === 'canary-1') && answers.some((a) => a.backend === 'canary-2'), 'the canary upstream is balanced');

    const logged = await loggedServices(answers);
    for (const answer of answers) assert.equal(logged.get(answer.requestId), side(answer.backend) === 'canary' ? 'orders:canary' : 'orders');
    const metrics = await (await request(`${gw.adminUrl}/metrics`)).body.text();
    const count = (service: string) => Number(new RegExp(`^gatehouse_http_requests_total\\{service="${service}",route="fixed",code="200",consumer=""\\} (\\d+)$`, 'm').exec(metrics)?.[1]);
    assert.equal(count('orders:canary'), canaryUsers * 5);
    assert.equal(count('orders'), (60 - canaryUsers) * 5);
  });

  it('lets in the consumers of the allowed groups only', async () => {
    for (let i = 0; i < 4; i++) {
      assert.equal(side((await call(`${gw.url}/groups`, { apikey: 'alice-key' })).backend), 'canary');
      assert.equal((await call(`${gw.url}/groups`, { apikey: 'bob-key' })).backend, 'stable');
    }
  });

  it('sends upstream_uri with the query kept, and obeys the override header', async () => {
    const before = ups['canary-1']!.urls.length + ups['canary-2']!.urls.length;
    assert.equal(side((await call(`${gw.url}/uri/anything?q=1&r=2`)).backend), 'canary');
    const urls = [...ups['canary-1']!.urls, ...ups['canary-2']!.urls];
    assert.equal(urls.length, before + 1);
    assert.ok(urls.includes('/v2/echo?q=1&r=2'), urls.join(' '));
    assert.equal((await call(`${gw.url}/uri/x`, { 'x-canary': 'never' })).backend, 'stable');
    assert.equal(side((await call(`${gw.url}/fixed`, { 'x-user': 'user-0', 'x-canary': 'always' })).backend), side((await call(`${gw.url}/fixed`, { 'x-user': 'user-0' })).backend), 'the header is only read where configured');
  });

  it('falls back to the service while the canary upstream has no healthy target (upstream_fallback)', async () => {
    const admin = adminClient(gw.adminUrl);
    assert.equal((await call(`${gw.url}/fallback`)).backend, 'canary-fb');
    assert.equal((await admin('PUT', `/upstreams/fallback-v2.internal/targets/${ups['canary-fb']!.address}/unhealthy`)).status, 204);
    for (let i = 0; i < 3; i++) assert.equal((await call(`${gw.url}/fallback`)).backend, 'stable');
    assert.equal((await admin('PUT', `/upstreams/fallback-v2.internal/targets/${ups['canary-fb']!.address}/healthy`)).status, 204);
    assert.equal((await call(`${gw.url}/fallback`)).backend, 'canary-fb');
  });

  it('rolls out from 0 to 100% in timed steps under load: no failed request, each from its side at that moment, nobody going back', async () => {
    const rule = new Rollout({ ...ROLLOUT, start: rolloutStart, upstream_fallback: false } as CanaryConfig);
    const users = Array.from({ length: 40 }, (_, i) => `rollout-user-${i}`);
    const bucket = new Map(users.map((user) => [user, hash32(user) % ROLLOUT.steps]));
    const end = (rolloutStart + ROLLOUT.duration) * 1000 + 500;
    const results: Array<Answer & { user: string; sentAt: number; receivedAt: number }> = [];
    const failures: string[] = [];
    await Promise.all(
      Array.from({ length: 8 }, async (_, loop) => {
        for (let i = loop; Date.now() < end; i += 8) {
          const user = users[i % users.length]!;
          const sentAt = Date.now();
          try {
            const answer = await call(`${gw.url}/rollout`, { 'x-user': user });
            if (answer.status !== 200) failures.push(`${user}: ${answer.status}`);
            results.push({ ...answer, user, sentAt, receivedAt: Date.now() });
          } catch (error) {
            failures.push(`${user}: ${(error as Error).message}`);
          }
        }
      }),
    );
    console.log(`canary rollout under load: ${results.length} responses, ${failures.length} failed, ${results.filter((r) => side(r.backend) === 'canary').length} from the canary`);
    assert.deepEqual(failures, []);

    let checked = 0;
    const lastSide = new Map<string, string>();
    for (const result of [...results].sort((a, b) => a.receivedAt - b.receivedAt)) {
      const served = side(result.backend);
      // The decision was made between sending and receiving: where the rule did not change in between, it is exact.
      const [low, high] = [rule.thresholdAt(result.sentAt), rule.thresholdAt(result.receivedAt)];
      if (low === high) {
        assert.equal(served, bucket.get(result.user)! < low ? 'canary' : 'stable', `${result.user} (bucket ${bucket.get(result.user)}) at threshold ${low}`);
        checked++;
      }
      if (lastSide.get(result.user) === 'canary') assert.equal(served, 'canary', `${result.user} went back to the stable side`);
      lastSide.set(result.user, served);
    }
    assert.ok(checked > results.length / 2, `${checked} of ${results.length} responses checked against the rule`);
    assert.ok(results.some((r) => side(r.backend) === 'stable') && [...lastSide.values()].every((s) => s === 'canary'), 'from all stable to all canary');
    const logged = await loggedServices(results);
    for (const result of results) assert.equal(logged.get(result.requestId), side(result.backend) === 'canary' ? 'orders:canary' : 'orders');
  });
});
