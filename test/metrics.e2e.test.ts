/** Black-box: /metrics after real traffic (names, labels, counts), and passive upstream health on /status and in metrics. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { startTestGateway, type TestGateway } from './helpers/gateway.js';
import { closedPort, startUpstream, type TestUpstream } from './helpers/upstream.js';

/** The value of one sample line, matched by its full name{labels} text. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

async function scrape(gw: TestGateway): Promise<string> {
  const res = await request(`${gw.adminUrl}/metrics`);
  assert.equal(res.statusCode, 200);
  assert.match(String(res.headers['content-type']), /^text\/plain; version=0\.0\.4/);
  return res.body.text();
}

async function call(url: string, init: Parameters<typeof request>[1] = {}): Promise<number> {
  const res = await request(url, init);
  await res.body.dump();
  return res.statusCode;
}

describe('prometheus metrics', () => {
  let upstream: TestUpstream;
  let gw: TestGateway;
  let deadPort: number;

  before(async () => {
    upstream = await startUpstream();
    deadPort = await closedPort();
    gw = await startTestGateway({
      _format_version: '3.0',
      services: [
        { name: 'shop', url: upstream.url, routes: [{ name: 'shop-items', paths: ['/items'] }, { name: 'shop-cart', paths: ['/cart'] }] },
        { name: 'pooled', host: 'pool.internal', port: 80, retries: 0, routes: [{ name: 'pooled', paths: ['/pooled'] }] },
        { name: 'dead', host: 'dead.internal', port: 80, retries: 0, routes: [{ name: 'dead', paths: ['/dead'] }] },
      ],
      upstreams: [
        { name: 'pool.internal', targets: [{ target: `127.0.0.1:${upstream.port}` }, { target: `127.0.0.1:${deadPort}` }] },
        { name: 'dead.internal', targets: [{ target: `127.0.0.1:${deadPort}` }] },
      ],
      plugins: [{ name: 'prometheus', config: { status_code_metrics: true, latency_metrics: true, bandwidth_metrics: true } }],
    });
  });
  after(async () => {
    await gw.close();
    await upstream.close();
  });

  it('counts requests by service, route and status with bounded labels', async () => {
    for (const id of ['1', '2', '3']) assert.equal(await call(`${gw.url}/items/${id}?q=${id}`), 200);
    assert.equal(await call(`${gw.url}/cart`, { method: 'POST', body: 'x'.repeat(1000) }), 200);
    assert.equal(await call(`${gw.url}/nowhere/at/all`), 404);

    const text = await scrape(gw);
    assert.equal(sample(text, 'gatehouse_http_requests_total{service="shop",route="shop-items",code="200",consumer=""}'), 3);
    assert.equal(sample(text, 'gatehouse_http_requests_total{service="shop",route="shop-cart",code="200",consumer=""}'), 1);
    assert.equal(sample(text, 'gatehouse_http_requests_total{service="",route="",code="404",consumer=""}'), 1);
    assert.equal(sample(text, 'gatehouse_request_latency_ms_count{service="shop",route="shop-items"}'), 3);
    assert.equal(sample(text, 'gatehouse_upstream_latency_ms_count{service="shop",route="shop-items"}'), 3);
    assert.equal(sample(text, 'gatehouse_proxy_latency_ms_count{service="shop",route="shop-items"}'), 3);
    assert.equal(sample(text, 'gatehouse_request_latency_ms_bucket{le="+Inf",service="shop",route="shop-items"}'), 3);
    assert.equal(sample(text, 'gatehouse_bandwidth_bytes{service="shop",route="shop-cart",direction="ingress",consumer=""}'), 1000);
    assert.ok(sample(text, 'gatehouse_bandwidth_bytes{service="shop",route="shop-cart",direction="egress",consumer=""}')! > 0);
    // Raw paths and query strings never become labels.
    assert.doesNotMatch(text, /items\/1|nowhere|q=1/);
  });

  it('exports gateway state and Node process metrics', async () => {
    const text = await scrape(gw);
    assert.equal(sample(text, 'gatehouse_config_version'), 1);
    assert.equal(sample(text, 'gatehouse_datastore_reachable'), 1);
    assert.match(text, /^process_cpu_user_seconds_total /m);
    assert.match(text, /^nodejs_heap_size_used_bytes /m);
  });

  it('marks a target unhealthy after consecutive connection failures, skips it, and reports it', async () => {
    for (let i = 0; i < 3; i++) assert.equal(await call(`${gw.url}/dead`), 502);
    const res = await request(`${gw.url}/dead`);
    assert.equal(res.statusCode, 503);
    assert.equal(((await res.body.json()) as { error: string }).error, 'no_healthy_upstream');

    // Round-robin over one live and one dead target: once the dead one is out, every call succeeds.
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push(await call(`${gw.url}/pooled`));
    assert.equal(statuses.filter((s) => s === 502).length, 3);
    assert.deepEqual(statuses.slice(-4), [200, 200, 200, 200]);

    const status = (await (await request(`${gw.adminUrl}/status`)).body.json()) as {
      upstreams: Array<{ name: string; health: string; targets: Array<{ target: string; state: string; recent_failures: number; last_failure: { cause: string } | null }> }>;
    };
    const dead = status.upstreams.find((u) => u.name === 'dead.internal')!;
    assert.equal(dead.health, 'unhealthy');
    assert.equal(dead.targets[0]!.state, 'unhealthy');
    assert.equal(dead.targets[0]!.recent_failures, 3);
    assert.match(dead.targets[0]!.last_failure!.cause, new RegExp(`ECONNREFUSED 127\\.0\\.0\\.1:${deadPort}`));
    const pooled = status.upstreams.find((u) => u.name === 'pool.internal')!;
    assert.equal(pooled.health, 'degraded');
    assert.equal(pooled.targets.find((t) => t.target === `127.0.0.1:${upstream.port}`)!.state, 'healthy');

    const text = await scrape(gw);
    assert.equal(sample(text, `gatehouse_upstream_target_health{upstream="dead.internal",target="127.0.0.1:${deadPort}",state="unhealthy"}`), 1);
    assert.equal(sample(text, `gatehouse_upstream_target_health{upstream="dead.internal",target="127.0.0.1:${deadPort}",state="healthy"}`), 0);
    assert.equal(sample(text, `gatehouse_upstream_target_health{upstream="pool.internal",target="127.0.0.1:${upstream.port}",state="healthy"}`), 1);
    assert.equal(sample(text, 'gatehouse_http_requests_total{service="dead",route="dead",code="503",consumer=""}'), 1);
  });
});
