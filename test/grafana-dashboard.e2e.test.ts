/**
 * Black-box: the Grafana dashboard against a real Prometheus. Two `gatehouse start` processes share a
 * private Redis and a config that exercises what the dashboard shows (an upstream with a live and a
 * dead target, a rate-limited route, a logging plugin whose sink is down, requests that match no
 * route); Prometheus (Debian's binary) scrapes both with the compose stack's job, and a bounded loop
 * of requests runs until every panel's query, and every template variable's, returns data — with the
 * variables set to "All" and $__rate_interval to what Grafana makes of the scrape interval.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { freePort } from '../support/free-port.js';
import { startTestRedis, type TestRedis } from '../support/redis.js';
import { startCli, type StartedCli } from './helpers/cli.js';
import { startPrometheus, type TestPrometheus } from './helpers/prometheus.js';
import { startUpstream, type TestUpstream } from './helpers/upstream.js';

interface Dashboard {
  panels: Array<{ title: string; targets: Array<{ expr: string }> }>;
  templating: { list: Array<{ name: string; type: string; query: string; allValue?: string }> };
}

const SCRAPE_INTERVAL_S = 1;
/** Grafana's $__rate_interval for a range this short: four scrape intervals. */
const RATE_INTERVAL = `${4 * SCRAPE_INTERVAL_S}s`;
const DEADLINE_MS = 90_000;

/** A panel's query as Grafana sends it with every variable at "All". */
function resolve(expr: string, dashboard: Dashboard): string {
  let resolved = expr.replaceAll('$__rate_interval', RATE_INTERVAL);
  for (const variable of dashboard.templating.list) {
    if (variable.allValue !== undefined) resolved = resolved.replaceAll(`$${variable.name}`, variable.allValue);
  }
  return resolved;
}

describe('the Grafana dashboard against a real Prometheus', () => {
  let dashboard: Dashboard;
  let redis: TestRedis;
  let upstream: TestUpstream;
  const gateways: StartedCli[] = [];
  let prometheus: TestPrometheus;

  before(async () => {
    dashboard = JSON.parse(await readFile('docker/grafana/dashboards/gatehouse.json', 'utf8')) as Dashboard;
    redis = await startTestRedis();
    upstream = await startUpstream();
    const deadPort = await freePort();
    const config = {
      _format_version: '3.0',
      upstreams: [{ name: 'orders.upstream', targets: [{ target: `127.0.0.1:${upstream.port}` }, { target: `127.0.0.1:${deadPort}` }] }],
      services: [
        {
          name: 'orders',
          host: 'orders.upstream',
          retries: 0,
          routes: [
            { name: 'orders', paths: ['/orders'] },
            { name: 'limited', paths: ['/limited'], plugins: [{ name: 'rate-limiting', config: { second: 1, policy: 'redis', limit_by: 'ip' } }] },
            { name: 'logged', paths: ['/logged'], plugins: [{ name: 'http-log', config: { http_endpoint: `http://127.0.0.1:${deadPort}/log`, queue: { max_retry_time: 0, max_coalescing_delay: 0 } } }] },
          ],
        },
      ],
      plugins: [{ name: 'prometheus', config: { status_code_metrics: true, latency_metrics: true, bandwidth_metrics: true } }],
    };
    for (let i = 0; i < 2; i++) gateways.push(await startCli(config, { settings: { REDIS_URL: redis.url, LOG_LEVEL: 'warn', ACCESS_LOG: 'false', DRAIN_DELAY_MS: '0' } }));

    // The compose stack's scrape job, pointed at these two gateways.
    const compose = parse(await readFile('docker/prometheus/prometheus.yml', 'utf8')) as { scrape_configs: Array<Record<string, unknown>> };
    const job = compose.scrape_configs.at(0)!;
    prometheus = await startPrometheus({
      global: { scrape_interval: `${SCRAPE_INTERVAL_S}s`, evaluation_interval: `${SCRAPE_INTERVAL_S}s` },
      scrape_configs: [{ ...job, static_configs: [{ targets: gateways.map((gateway) => new URL(gateway.adminUrl).host) }] }],
    });
  });
  after(async () => {
    await prometheus?.close();
    for (const gateway of gateways) await gateway.cli.stop();
    await upstream?.close();
    await redis?.close();
  });

  it('returns data for every panel query and every variable, and shows both instances', { timeout: DEADLINE_MS + 30_000 }, async () => {
    const queries = dashboard.panels.flatMap((panel) => panel.targets.map((target) => ({ title: panel.title, expr: resolve(target.expr, dashboard) })));
    assert.ok(queries.length > 0, 'the dashboard has panels');
    const variables = dashboard.templating.list.filter((variable) => variable.type === 'query');
    const deadline = Date.now() + DEADLINE_MS;
    let done = false;
    let empty: string[] = [];

    // Bounded traffic while Prometheus scrapes: both gateways, every kind of request the panels count.
    const traffic = (async () => {
      while (!done && Date.now() < deadline) {
        for (const gateway of gateways) {
          for (const path of ['/orders/a', '/orders/b', '/limited/a', '/limited/b', '/logged/a', '/nowhere']) {
            await fetch(`${gateway.proxyUrl}${path}`).then((res) => res.arrayBuffer(), () => undefined);
          }
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();

    try {
      while (Date.now() < deadline) {
        empty = [];
        for (const { title, expr } of queries) if ((await prometheus.query(expr)).length === 0) empty.push(`${title}: ${expr}`);
        for (const variable of variables) {
          // label_values(metric{selector}, label), with the other variables at "All".
          const [, match, label] = /^label_values\((.+), *(\w+)\)$/.exec(resolve(variable.query, dashboard)) ?? [];
          assert.ok(match && label, `variable ${variable.name}: ${variable.query}`);
          if ((await prometheus.labelValues(label, match)).filter(Boolean).length === 0) empty.push(`variable ${variable.name}: ${variable.query}`);
        }
        if (empty.length === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    } finally {
      done = true;
      await traffic;
    }
    assert.deepEqual(empty, [], 'queries that returned no data');

    const instances = gateways.map((gateway) => new URL(gateway.adminUrl).host).sort();
    for (const metric of ['gatehouse_config_version', 'gatehouse_datastore_reachable']) {
      const samples = await prometheus.query(metric);
      assert.deepEqual(samples.map((sample) => sample.metric.instance).sort(), instances, `${metric} per instance`);
    }
    assert.deepEqual((await prometheus.query('gatehouse_datastore_reachable')).map((sample) => sample.value[1]), ['1', '1']);
  });
});
