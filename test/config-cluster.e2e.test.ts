/**
 * Black-box: three gateway processes sharing one private Redis, as replicas would. A write through
 * any instance's admin API is served by all; an instance cut off from Redis catches up when it is
 * back; Redis outages never fail a proxied request; a start while Redis is down serves the snapshot;
 * 100 config changes under traffic fail no request. Propagation times are printed here and measured
 * against their target by `npm run bench`.
 */
import assert from 'node:assert/strict';
import { copyFile, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { request } from 'undici';
import { stringify } from 'yaml';
import { adminClient } from './helpers/admin.js';
import { waitUntil } from './helpers/cli.js';
import { startGatewayProcess, type GatewayProcess } from './helpers/gateway-process.js';
import { quantile } from '../support/quantile.js';
import { startTestRedis, type TestRedis } from '../support/redis.js';
import { servedEverywhere, statusOf } from '../support/served.js';
import { startUpstream, type TestUpstream } from './helpers/upstream.js';

const CUT_USER = 'gw-c';
const CUT_PASSWORD = 'cut-off-instance';

/** `path` on each proxy. */
function urlsOf(proxies: GatewayProcess[], path: string): string[] {
  return proxies.map((gw) => gw.proxyUrl + path);
}

function summary(values: number[]): string {
  const at = (q: number) => quantile(values, q).toFixed(1);
  return `n=${values.length} min=${at(0)} median=${at(0.5)} p95=${at(0.95)} max=${at(1)} ms`;
}

interface TrafficResult {
  ok: number;
  failed: string[];
}

/** Back-to-back requests to `path` on every proxy (`perProxy` loops each) until stopped. */
function startTraffic(proxies: GatewayProcess[], path: string, perProxy = 1) {
  let stopped = false;
  const result: TrafficResult = { ok: 0, failed: [] };
  const loops = proxies.flatMap((gw) =>
    Array.from({ length: perProxy }, async () => {
      while (!stopped) {
        try {
          const res = await request(gw.proxyUrl + path);
          await res.body.dump();
          if (res.statusCode === 200) result.ok++;
          else result.failed.push(`${gw.proxyUrl}: ${res.statusCode}`);
        } catch (error) {
          result.failed.push(`${gw.proxyUrl}: ${(error as Error).message}`);
        }
      }
    }),
  );
  return {
    stop: async (): Promise<TrafficResult> => {
      stopped = true;
      await Promise.all(loops);
      return result;
    },
  };
}

describe('config in Redis across three gateway processes', () => {
  let redis: TestRedis;
  let upstream: TestUpstream;
  let dir: string;
  let a: GatewayProcess;
  let b: GatewayProcess;
  let c: GatewayProcess;
  let all: GatewayProcess[];
  const extra: GatewayProcess[] = [];

  const redisAdmin = () => new Redis(redis.port, '127.0.0.1');
  const allowCutUser = async (on: boolean) => {
    const client = redisAdmin();
    await client.call('ACL', 'SETUSER', CUT_USER, on ? 'on' : 'off', `>${CUT_PASSWORD}`, '~*', '&*', '+@all');
    if (!on) await client.call('CLIENT', 'KILL', 'USER', CUT_USER);
    client.disconnect();
  };
  const statusBody = async (gw: GatewayProcess) => (await adminClient(gw.adminUrl)('GET', '/status')).body;

  before(async () => {
    redis = await startTestRedis();
    await allowCutUser(true);
    upstream = await startUpstream();
    dir = await mkdtemp(join(tmpdir(), 'gatehouse-cluster-'));
    const seed = join(dir, 'seed.yaml');
    await writeFile(seed, stringify({ _format_version: '3.0', services: [{ name: 'app', url: upstream.url, routes: [{ name: 'stable', paths: ['/stable'] }] }] }));
    const settings = (name: string, url = redis.url) => ({ REDIS_URL: url, CONFIG: seed, SNAPSHOT: join(dir, `${name}.json`), DRAIN_TIMEOUT_MS: '1000' });
    const cutUrl = `redis://${CUT_USER}:${CUT_PASSWORD}@127.0.0.1:${redis.port}`;
    [a, b, c] = await Promise.all([startGatewayProcess(settings('a')), startGatewayProcess(settings('b')), startGatewayProcess(settings('c', cutUrl))]);
    all = [a, b, c];
  });
  after(async () => {
    await Promise.all([...(all ?? []), ...extra].map((gw) => gw.stop()));
    await upstream?.close();
    await redis?.close();
  });

  it('serves a write made through any instance on all three', async () => {
    const times: number[] = [];
    for (let i = 0; i < 6; i++) {
      const writer = adminClient(all[i % 3]!.adminUrl);
      const res = await writer('POST', '/services/app/routes', { name: `p${i}`, paths: [`/p${i}`] });
      assert.equal(res.status, 201);
      times.push(await servedEverywhere(urlsOf(all, `/p${i}`), performance.now()));
    }
    // Printed here; the < 100 ms target is measured by `npm run bench`, not asserted in a test.
    console.log(`propagation write response → served by all 3: ${summary(times)}`);
    const versions = await Promise.all(all.map(async (gw) => (await statusBody(gw)).config_version));
    assert.equal(new Set(versions).size, 1);
  });

  it('gives exactly one of two concurrent writers on the same version a 409', async () => {
    const version = (await statusBody(a)).config_version;
    const results = await Promise.all(
      [a, b].map((gw, i) => adminClient(gw.adminUrl)('PATCH', '/services/app', { retries: i + 1 }, { 'if-match': String(version) })),
    );
    assert.deepEqual(results.map((r) => r.status).sort(), [200, 409]);
  });

  it('brings an instance cut off from Redis up to date once it reconnects', async () => {
    await allowCutUser(false);
    await waitUntil(async () => (await statusBody(c)).redis !== 'connected', 'instance c notices the cut', 10_000);
    const write = await adminClient(a.adminUrl)('POST', '/services/app/routes', { name: 'while-cut', paths: ['/while-cut'] });
    assert.equal(write.status, 201);
    await servedEverywhere(urlsOf([a, b], '/while-cut'), performance.now());
    assert.equal(await statusOf(`${c.proxyUrl}/while-cut`), 404, 'c missed the change while cut off');
    assert.equal(await statusOf(`${c.proxyUrl}/stable`), 200, 'c keeps serving its version');
    await allowCutUser(true);
    await servedEverywhere(urlsOf([c], '/while-cut'), performance.now());
    assert.equal((await statusBody(c)).redis, 'connected');
  });

  it('rolls back everywhere, and a bad write changes nothing anywhere', async () => {
    const admin = adminClient(b.adminUrl);
    // Newest first: [0] added /while-cut, [1] is the version before it.
    const versions = (await admin('GET', '/config/versions')).body.data as { version: number }[];
    const target = versions[1]!.version;
    const rollback = await admin('POST', `/config/rollback/${target}`);
    assert.equal(rollback.status, 201);
    await servedEverywhere(urlsOf(all, '/while-cut'), performance.now(), 404);

    const version = rollback.body.config_version;
    const bad = await admin('POST', '/routes', { name: 'bad', paths: ['no-slash'], service: 'app' });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.fields['paths[0]'], 'should start with: / (fixed path) or ~/ (regex path)');
    for (const gw of all) assert.equal((await statusBody(gw)).config_version, version);
  });

  it('keeps serving with no failed request while Redis is down, and starts from the snapshot meanwhile', async () => {
    const traffic = startTraffic(all, '/stable');
    await new Promise((resolve) => setTimeout(resolve, 200));
    await redis.stop();
    await waitUntil(async () => (await Promise.all(all.map(statusBody))).every((s) => s.redis !== 'connected'), 'all instances see Redis down', 10_000);
    const served = (await statusBody(a)).config_version;

    const snapshot = join(dir, 'd.json');
    await copyFile(join(dir, 'a.json'), snapshot);
    const d = await startGatewayProcess({ REDIS_URL: redis.url, CONFIG: join(dir, 'missing.yaml'), SNAPSHOT: snapshot, DRAIN_TIMEOUT_MS: '1000' });
    extra.push(d);
    const dStatus = await statusBody(d);
    assert.equal(dStatus.config_version, served);
    assert.notEqual(dStatus.redis, 'connected');
    assert.equal(await statusOf(`${d.proxyUrl}/p0`), 200);
    assert.equal((await adminClient(d.adminUrl)('POST', '/consumers', { username: 'x' })).status, 503);

    // Redis comes back empty (nothing persisted): the served version is stored again and writes resume.
    await redis.start();
    await allowCutUser(true);
    const everyone = [...all, d];
    await waitUntil(async () => (await Promise.all(everyone.map(statusBody))).every((s) => s.redis === 'connected'), 'all reconnect', 15_000);
    const write = await adminClient(d.adminUrl)('POST', '/services/app/routes', { name: 'after-outage', paths: ['/after-outage'] });
    assert.equal(write.status, 201, JSON.stringify(write.body));
    assert.equal(write.body.service.id !== undefined, true);
    await servedEverywhere(urlsOf(everyone, '/after-outage'), performance.now());

    const result = await traffic.stop();
    console.log(`Redis outage: ${result.ok} proxied requests, ${result.failed.length} failed`);
    assert.deepEqual(result.failed, []);
    assert.ok(result.ok > 0);
  });

  it('applies 100 config changes under traffic without a failed request', async () => {
    const traffic = startTraffic(all, '/stable', 2);
    const times: number[] = [];
    const started = performance.now();
    for (let i = 0; i < 100; i++) {
      const res = await adminClient(all[i % 3]!.adminUrl)('POST', '/services/app/routes', { name: `load${i}`, paths: [`/load${i}`] });
      assert.equal(res.status, 201);
      times.push(await servedEverywhere(urlsOf(all, `/load${i}`), performance.now()));
    }
    const elapsed = performance.now() - started;
    const result = await traffic.stop();
    console.log(`100 changes in ${elapsed.toFixed(0)} ms under traffic: ${result.ok} proxied requests, ${result.failed.length} failed`);
    console.log(`propagation under load (write response → served by all 3): ${summary(times)}`);
    assert.deepEqual(result.failed, []);
  });
});
