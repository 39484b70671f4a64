/** Black-box: W3C trace context through the gateway and the opentelemetry plugin's spans, received by a real OTLP/HTTP server. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { eventually, startTestGateway, type TestGateway } from '../../../test/helpers/gateway.js';
import { startSink, type TestSink } from '../../../test/helpers/sink.js';
import { closedPort, startUpstream, type TestUpstream } from '../../../test/helpers/upstream.js';

interface OtlpValue {
  stringValue?: string;
  intValue?: string;
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: Array<{ key: string; value: OtlpValue }>;
  status: { code: number };
}
interface OtlpExport {
  resourceSpans: Array<{ resource: { attributes: Array<{ key: string; value: OtlpValue }> }; scopeSpans: Array<{ spans: OtlpSpan[] }> }>;
}

const attr = (span: OtlpSpan, key: string) => {
  const value = span.attributes.find((a) => a.key === key)?.value;
  return value?.stringValue ?? value?.intValue;
};

describe('opentelemetry tracing', () => {
  let upstream: TestUpstream;
  let collector: TestSink;
  let gw: TestGateway;

  const exports = () => collector.received.map((r) => JSON.parse(r.body.toString()) as OtlpExport);
  const spans = () => exports().flatMap((e) => e.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((s) => s.spans)));
  const spansOf = (traceId: string, count: number) =>
    eventually(() => {
      const found = spans().filter((s) => s.traceId === traceId);
      return found.length === count ? found : undefined;
    }, `${count} spans of trace ${traceId}`);

  before(async () => {
    upstream = await startUpstream();
    collector = await startSink();
    gw = await startTestGateway({
      _format_version: '3.0',
      services: [
        { name: 'catalog', url: upstream.url, routes: [{ name: 'traced', paths: ['/traced'] }] },
        { name: 'down', url: `http://127.0.0.1:${await closedPort()}`, retries: 0, routes: [{ name: 'down', paths: ['/down'] }] },
      ],
      plugins: [
        {
          name: 'opentelemetry',
          config: {
            traces_endpoint: `${collector.url}/v1/traces`,
            resource_attributes: { 'service.name': 'edge', 'deployment.environment': 'test' },
            headers: { 'x-collector-key': 'k1' },
            queue: { max_batch_size: 50, max_coalescing_delay: 0.02 },
          },
        },
      ],
    });
  });
  after(async () => {
    await gw.close();
    await upstream.close();
    await collector.close();
  });

  it('continues an incoming trace: server span under the caller, client span as the upstream\'s parent', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const callerSpan = '00f067aa0ba902b7';
    const res = await request(`${gw.url}/traced/items?x=1`, { headers: { traceparent: `00-${traceId}-${callerSpan}-01`, tracestate: 'vendor=abc' } });
    const echoed = (await res.body.json()) as { headers: Record<string, string> };
    const requestId = res.headers['x-request-id'] as string;
    const seen = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/.exec(echoed.headers.traceparent!);
    assert.ok(seen, echoed.headers.traceparent);
    assert.equal(seen[1], traceId);
    assert.equal(echoed.headers.tracestate, 'vendor=abc');

    const found = await spansOf(traceId, 2);
    const server = found.find((s) => s.kind === 2)!;
    const client = found.find((s) => s.kind === 3)!;
    assert.equal(server.parentSpanId, callerSpan);
    assert.equal(server.name, 'GET traced');
    assert.equal(client.parentSpanId, server.spanId);
    assert.equal(client.spanId, seen[2], 'the upstream sees the client span as its parent');
    assert.notEqual(client.spanId, server.spanId);
    for (const span of [server, client]) {
      assert.equal(attr(span, 'http.request.method'), 'GET');
      assert.equal(attr(span, 'http.response.status_code'), '200');
      assert.equal(attr(span, 'gatehouse.route'), 'traced');
      assert.equal(attr(span, 'gatehouse.service'), 'catalog');
      assert.equal(attr(span, 'gatehouse.request_id'), requestId);
      assert.ok(BigInt(span.endTimeUnixNano) >= BigInt(span.startTimeUnixNano));
    }
    assert.ok(BigInt(client.startTimeUnixNano) >= BigInt(server.startTimeUnixNano));
    assert.equal(attr(client, 'server.address'), `127.0.0.1:${upstream.port}`);

    const received = collector.received[0]!;
    assert.equal(received.url, '/v1/traces');
    assert.equal(received.headers['content-type'], 'application/json');
    assert.equal(received.headers['x-collector-key'], 'k1');
    const resource = exports()[0]!.resourceSpans[0]!.resource.attributes;
    assert.deepEqual(resource.find((a) => a.key === 'service.name')?.value, { stringValue: 'edge' });
    assert.deepEqual(resource.find((a) => a.key === 'deployment.environment')?.value, { stringValue: 'test' });
  });

  it('starts a trace when none came in, and follows an unsampled caller by exporting nothing', async () => {
    const unsampledTrace = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
    const quiet = await request(`${gw.url}/traced`, { headers: { traceparent: `00-${unsampledTrace}-bbbbbbbbbbbbbbbb-00` } });
    const quietEcho = (await quiet.body.json()) as { headers: Record<string, string> };
    assert.match(quietEcho.headers.traceparent!, new RegExp(`^00-${unsampledTrace}-[0-9a-f]{16}-00$`));

    const fresh = await request(`${gw.url}/traced`);
    const echoed = (await fresh.body.json()) as { headers: Record<string, string> };
    const [, traceId, parent] = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/.exec(echoed.headers.traceparent!)!;
    const found = await spansOf(traceId!, 2);
    const server = found.find((s) => s.kind === 2)!;
    assert.equal(server.parentSpanId, undefined);
    assert.equal(found.find((s) => s.kind === 3)!.spanId, parent);
    // Spans leave in order, so the earlier unsampled request would have arrived by now.
    assert.equal(spans().filter((s) => s.traceId === unsampledTrace).length, 0);
  });

  it('marks a failed upstream call as an error with its cause', async () => {
    const traceId = 'cccccccccccccccccccccccccccccccc';
    const res = await request(`${gw.url}/down`, { headers: { traceparent: `00-${traceId}-dddddddddddddddd-01` } });
    assert.equal(res.statusCode, 502);
    await res.body.dump();
    const found = await spansOf(traceId, 2);
    const server = found.find((s) => s.kind === 2)!;
    const client = found.find((s) => s.kind === 3)!;
    assert.equal(server.status.code, 2);
    assert.equal(attr(server, 'http.response.status_code'), '502');
    assert.equal(attr(server, 'error.type'), 'upstream_unavailable');
    assert.match(attr(client, 'error.type')!, /^ECONNREFUSED 127\.0\.0\.1:\d+$/);
  });
});
