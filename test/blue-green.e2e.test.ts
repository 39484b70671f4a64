/**
 * Black-box: a blue/green switch of one hostname — one admin write moving its route from the blue
 * service to the green one, and a rollback moving it back — while a load generator runs. Every
 * response is counted: none fails; each was served wholly by one config version (the upstream that
 * answered got the request-ID header of its own service's correlation-id plugin, and the client got
 * that header back); the access log names the side that served it; requests sent after the write's
 * answer all reach the new side. Then the side that no longer serves the hostname is put in
 * maintenance with request-termination: its testers' route is answered by the gateway itself.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { startTestRedis, type TestRedis } from '../support/redis.js';
import { adminClient } from './helpers/admin.js';
import { eventually, startTestGateway, type TestGateway } from './helpers/gateway.js';
import { startUpstream, type TestUpstream } from './helpers/upstream.js';

const HOST = 'app.example.com';

interface Result {
  side: string;
  /** The request-ID header the upstream received (its service's correlation-id header). */
  upstreamSaw: string;
  /** The request-ID header the client got back. */
  clientGot: string;
  requestId: string;
  sentAt: number;
  receivedAt: number;
}

/** Answers with its side and the correlation-id header it received. */
function sideUpstream(side: string): Promise<TestUpstream> {
  return startUpstream((req, res) => {
    req.resume();
    const saw = ['x-blue-id', 'x-green-id'].filter((name) => req.headers[name] !== undefined).join(',') || 'none';
    res.writeHead(200, { 'x-backend': side, 'x-upstream-saw': saw });
    res.end(side);
  });
}

describe('blue/green switch under load', () => {
  let redis: TestRedis;
  let blue: TestUpstream;
  let green: TestUpstream;
  let gw: TestGateway;

  before(async () => {
    redis = await startTestRedis();
    blue = await sideUpstream('blue');
    green = await sideUpstream('green');
    gw = await startTestGateway(
      {
        _format_version: '3.0',
        services: [
          { name: 'blue', url: blue.url, plugins: [{ name: 'correlation-id', config: { header_name: 'X-Blue-Id' } }], routes: [{ name: 'web', hosts: [HOST] }] },
          { name: 'green', url: green.url, plugins: [{ name: 'correlation-id', config: { header_name: 'X-Green-Id' } }] },
        ],
      },
      { REDIS_URL: redis.url, SNAPSHOT: `/tmp/gatehouse-blue-green-${process.pid}.json` },
    );
  });
  after(async () => {
    await gw?.close();
    await Promise.all([blue, green].filter(Boolean).map((u) => u.close()));
    await redis?.close();
  });

  /** Runs the load until `during` has finished, then a moment longer. */
  async function underLoad(during: () => Promise<void>): Promise<{ results: Result[]; failures: string[] }> {
    let stopped = false;
    const results: Result[] = [];
    const failures: string[] = [];
    const loops = Array.from({ length: 8 }, async () => {
      while (!stopped) {
        const sentAt = performance.now();
        try {
          const res = await request(`${gw.url}/page`, { headers: { host: HOST } });
          await res.body.dump();
          if (res.statusCode !== 200) failures.push(String(res.statusCode));
          const clientGot = ['x-blue-id', 'x-green-id'].filter((name) => res.headers[name] !== undefined).join(',');
          const requestId = String(res.headers['x-blue-id'] ?? res.headers['x-green-id']);
          results.push({ side: String(res.headers['x-backend']), upstreamSaw: String(res.headers['x-upstream-saw']), clientGot, requestId, sentAt, receivedAt: performance.now() });
        } catch (error) {
          failures.push((error as Error).message);
        }
      }
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    await during();
    await new Promise((resolve) => setTimeout(resolve, 300));
    stopped = true;
    await Promise.all(loops);
    return { results, failures };
  }

  function checkEachResponse(results: Result[]): void {
    for (const r of results) {
      const header = `x-${r.side}-id`;
      assert.equal(r.upstreamSaw, header, `the ${r.side} upstream got its own service's request-ID header`);
      assert.equal(r.clientGot, header, `a ${r.side} answer came back with ${header} only`);
    }
  }

  async function checkAccessLog(results: Result[]): Promise<void> {
    const wanted = new Map(results.map((r) => [r.requestId, r.side]));
    const logged = await eventually(() => {
      const lines = gw.accessLogs().filter((line) => wanted.has(line.request_id as string));
      return lines.length === wanted.size ? lines : undefined;
    }, 'an access-log line per response');
    for (const line of logged) assert.equal(line.service, wanted.get(line.request_id as string));
  }

  it('moves the hostname to green with one write, and back with a rollback, failing no request', async () => {
    const admin = adminClient(gw.adminUrl);
    let writeSentAt = 0;
    let writeAnsweredAt = 0;
    let before = 0;
    const toGreen = await underLoad(async () => {
      before = (await admin('GET', '/status')).body.config_version;
      writeSentAt = performance.now();
      const write = await admin('PATCH', '/routes/web', { service: 'green' });
      writeAnsweredAt = performance.now();
      assert.equal(write.status, 200, JSON.stringify(write.body));
    });
    console.log(`blue → green under load: ${toGreen.results.length} responses, ${toGreen.failures.length} failed`);
    assert.deepEqual(toGreen.failures, []);
    checkEachResponse(toGreen.results);
    for (const r of toGreen.results) {
      if (r.receivedAt < writeSentAt) assert.equal(r.side, 'blue', 'answered before the write: blue');
      if (r.sentAt > writeAnsweredAt) assert.equal(r.side, 'green', 'sent after the write was answered: green');
    }
    assert.ok(toGreen.results.some((r) => r.side === 'blue') && toGreen.results.some((r) => r.side === 'green'));
    await checkAccessLog(toGreen.results);

    let rollbackAnsweredAt = 0;
    const back = await underLoad(async () => {
      const rollback = await admin('POST', `/config/rollback/${before}`);
      rollbackAnsweredAt = performance.now();
      assert.equal(rollback.status, 201, JSON.stringify(rollback.body));
    });
    console.log(`green → blue (rollback) under load: ${back.results.length} responses, ${back.failures.length} failed`);
    assert.deepEqual(back.failures, []);
    checkEachResponse(back.results);
    for (const r of back.results) if (r.sentAt > rollbackAnsweredAt) assert.equal(r.side, 'blue');
    await checkAccessLog(back.results);
  });

  it('puts the drained side in maintenance with request-termination, leaving the hostname on the serving side', async () => {
    const admin = adminClient(gw.adminUrl);
    // After the rollback above blue serves the hostname; green keeps a route only testers match.
    const preview = await admin('POST', '/services/green/routes', { name: 'web-preview', hosts: [HOST], headers: { 'x-preview': ['green'] } });
    assert.equal(preview.status, 201, JSON.stringify(preview.body));
    const maintenance = await admin('POST', '/services/green/plugins', {
      name: 'request-termination',
      config: { status_code: 503, message: 'green is in maintenance' },
    });
    assert.equal(maintenance.status, 201, JSON.stringify(maintenance.body));
    const greenCalls = green.seen.length;

    const tester = await request(`${gw.url}/page`, { headers: { host: HOST, 'x-preview': 'green' } });
    assert.equal(tester.statusCode, 503);
    assert.equal(((await tester.body.json()) as { message: string }).message, 'green is in maintenance');
    const visitor = await request(`${gw.url}/page`, { headers: { host: HOST } });
    assert.equal(visitor.statusCode, 200);
    assert.equal(await visitor.body.text(), 'blue');
    assert.equal(green.seen.length, greenCalls, 'the drained side received nothing');

    const lifted = await admin('DELETE', `/plugins/${maintenance.body.id}`);
    assert.equal(lifted.status, 204, JSON.stringify(lifted.body));
    const again = await request(`${gw.url}/page`, { headers: { host: HOST, 'x-preview': 'green' } });
    assert.equal(again.statusCode, 200);
    assert.equal(await again.body.text(), 'green');
  });
});
