/**
 * Black-box: the plugin pipeline — phase order by priority, Kong's scope precedence (most specific
 * wins, consumer overrides), short-circuits, errors from plugins, and the bundled correlation-id.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { z } from 'zod';
import { definePlugin } from '../src/pipeline/contract.js';
import { PluginRegistry } from '../src/pipeline/registry.js';
import { Errors, GatewayError } from '../src/errors.js';
import { bundledPlugins } from '../plugins/index.js';
import { eventually, startTestGateway, type TestGateway } from './helpers/gateway.js';
import { startUpstream, type TestUpstream } from './helpers/upstream.js';

/** Identifies the consumer named in X-Test-Consumer (a stand-in for an auth plugin). */
const identify = definePlugin({
  name: 'test-identify',
  priority: 5000,
  version: '1.0.0',
  configSchema: z.object({}).strict(),
  instantiate(_config, { config }) {
    const byName = new Map(config.consumers.map((c) => [c.username, c]));
    return {
      access(ctx) {
        const name = ctx.headers['x-test-consumer'];
        if (typeof name === 'string') ctx.consumer = byName.get(name) ?? null;
      },
    };
  },
});

/** Records which instance ran: its `tag` goes upstream and into the response. */
const tagger = definePlugin({
  name: 'test-tag',
  priority: 3000,
  version: '1.0.0',
  configSchema: z.object({ tag: z.string().describe('Marker') }).strict(),
  instantiate(config) {
    return {
      access(ctx) {
        ctx.setUpstreamHeader('x-tag', config.tag);
        ctx.setResponseHeader('x-tag-seen', config.tag);
      },
      response(_ctx, head) {
        head.headers['x-response-phase'] = config.tag;
      },
    };
  },
});

/** Answers by itself, asynchronously, when X-Deny is sent: a ShortCircuit or a GatewayError. */
const gate = definePlugin({
  name: 'test-gate',
  priority: 2500,
  version: '1.0.0',
  configSchema: z.object({}).strict(),
  instantiate() {
    return {
      async access(ctx) {
        await new Promise((resolve) => setImmediate(resolve));
        if (ctx.headers['x-deny'] === 'custom') return { status: 418, body: { teapot: true }, headers: { 'x-gate': 'yes' } };
        if (ctx.headers['x-deny'] === 'error') throw new GatewayError(Errors.forbidden, { cause: 'test gate' });
        if (ctx.headers['x-deny'] === 'crash') throw new Error('plugin bug');
      },
    };
  },
});

/** Sees every finished request; throws to prove a faulty log handler cannot hurt. */
const logged: Array<{ status: number; route: string }> = [];
const logger = definePlugin({
  name: 'test-log',
  priority: 1,
  version: '1.0.0',
  configSchema: z.object({}).strict(),
  instantiate() {
    return {
      log(ctx, summary) {
        logged.push({ status: summary.status, route: ctx.route.name ?? '' });
        throw new Error('log handler failure');
      },
    };
  },
});

const registry = new PluginRegistry([...bundledPlugins, identify, tagger, gate, logger]);

describe('plugin pipeline', () => {
  let upstream: TestUpstream;
  let gw: TestGateway;

  before(async () => {
    upstream = await startUpstream();
    gw = await startTestGateway(
      {
        _format_version: '3.0',
        consumers: [{ username: 'alice' }, { username: 'bob' }, { username: 'carol' }],
        services: [
          {
            name: 'svc',
            url: upstream.url,
            plugins: [{ name: 'test-tag', config: { tag: 'service' } }],
            routes: [
              { name: 'plain', paths: ['/plain'] },
              { name: 'specific', paths: ['/specific'], plugins: [{ name: 'test-tag', config: { tag: 'route' } }] },
              { name: 'correlated', paths: ['/correlated'], plugins: [{ name: 'correlation-id', config: { header_name: 'X-Correlation-Id' } }] },
            ],
          },
          { name: 'other', url: upstream.url, routes: [{ name: 'global-only', paths: ['/global'] }] },
        ],
        plugins: [
          { name: 'test-identify' },
          { name: 'test-gate' },
          { name: 'test-log' },
          { name: 'test-tag', config: { tag: 'global' } },
          { name: 'test-tag', consumer: 'alice', config: { tag: 'alice' } },
          { name: 'test-tag', consumer: 'bob', route: 'specific', config: { tag: 'bob-on-route' } },
        ],
      },
      {},
      registry,
    );
  });
  after(async () => {
    await gw.close();
    await upstream.close();
  });

  async function tagFor(path: string, headers: Record<string, string> = {}) {
    const res = await request(`${gw.url}${path}`, { headers });
    const body = (await res.body.json()) as { headers: Record<string, string> };
    return { upstream: body.headers['x-tag'], response: res.headers['x-tag-seen'], phase: res.headers['x-response-phase'] };
  }

  it('applies the most specific instance: route > service > global', async () => {
    assert.deepEqual(await tagFor('/global/x'), { upstream: 'global', response: 'global', phase: 'global' });
    assert.deepEqual(await tagFor('/plain'), { upstream: 'service', response: 'service', phase: 'service' });
    assert.deepEqual(await tagFor('/specific'), { upstream: 'route', response: 'route', phase: 'route' });
  });

  it('applies consumer-scoped instances once the consumer is known, with Kong precedence', async () => {
    // consumer-only (alice) beats route and service instances ...
    assert.equal((await tagFor('/plain', { 'x-test-consumer': 'alice' })).upstream, 'alice');
    assert.equal((await tagFor('/specific', { 'x-test-consumer': 'alice' })).upstream, 'alice');
    // ... consumer+route beats everything on that route only
    assert.equal((await tagFor('/specific', { 'x-test-consumer': 'bob' })).upstream, 'bob-on-route');
    assert.equal((await tagFor('/plain', { 'x-test-consumer': 'bob' })).upstream, 'service');
    // a consumer with no instance of its own gets the route's choice
    assert.equal((await tagFor('/specific', { 'x-test-consumer': 'carol' })).upstream, 'route');
  });

  it('lets a plugin answer with its own response, still through the response phase', async () => {
    const res = await request(`${gw.url}/plain`, { headers: { 'x-deny': 'custom' } });
    assert.equal(res.statusCode, 418);
    assert.deepEqual(await res.body.json(), { teapot: true });
    assert.equal(res.headers['x-gate'], 'yes');
    assert.equal(res.headers['x-response-phase'], 'service');
    assert.ok(res.headers['x-request-id']);
  });

  it('renders a GatewayError from a plugin with the contract body, and a plugin crash as 500', async () => {
    const denied = await request(`${gw.url}/plain`, { headers: { 'x-deny': 'error' } });
    assert.equal(denied.statusCode, 403);
    assert.equal(((await denied.body.json()) as { error: string }).error, 'forbidden');
    const crashed = await request(`${gw.url}/plain`, { headers: { 'x-deny': 'crash' } });
    assert.equal(crashed.statusCode, 500);
    assert.deepEqual(Object.keys((await crashed.body.json()) as object).sort(), ['error', 'message', 'request_id']);
  });

  it('runs the log phase after each response; a throwing log handler is contained', async () => {
    const before = logged.length;
    const res = await request(`${gw.url}/plain`);
    await res.body.dump();
    await eventually(() => (logged.length > before ? true : undefined), 'log phase');
    assert.deepEqual(logged.at(-1), { status: 200, route: 'plain' });
    assert.ok(gw.logs.some((l) => l.msg === 'plugin log phase failed' && l.plugin === 'test-log'));
  });

  it('correlation-id moves the request ID to its header, reusing a sane incoming value', async () => {
    const res = await request(`${gw.url}/correlated`, { headers: { 'x-correlation-id': 'abc-123' } });
    const body = (await res.body.json()) as { headers: Record<string, string> };
    assert.equal(res.headers['x-correlation-id'], 'abc-123');
    assert.equal(body.headers['x-correlation-id'], 'abc-123');
    const line = await eventually(() => gw.accessLogs().find((l) => l.request_id === 'abc-123'), 'access line with the correlation id');
    assert.equal(line.route, 'correlated');

    const generated = await request(`${gw.url}/correlated`);
    await generated.body.dump();
    assert.match(String(generated.headers['x-correlation-id']), /^[0-9a-f-]{36}#\d+$/);
  });
});
