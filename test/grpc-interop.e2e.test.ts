/**
 * gRPC through the gateway, driven by the public interop cases (grpc/grpc
 * doc/interop-test-descriptions.md) with @grpc/grpc-js as client and upstream: the gateway's plain
 * listener speaks h2c (GATEHOUSE_PROXY_H2C), the route takes protocols [grpc, grpcs] and its service is
 * grpc://, so every call rides node:http2 both ways. The same cases run over the HTTPS listener
 * (ALPN h2) to a grpcs:// upstream verified against a test CA.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TestPki } from '../support/pki.js';
import { startTestGateway, type TestGateway } from './helpers/gateway.js';
import { ECHO_INITIAL, ECHO_TRAILING, grpc, interopClient, payloadOf, startInteropServer, unary, type InteropClient, type InteropServer } from './helpers/grpc-interop.js';

const SPECIAL_MESSAGE = '\t\ntest with whitespace\r\nand Unicode BMP ☺ and non-BMP 😈\t\n';

type Stream = grpc.ClientDuplexStream<unknown, { payload: { body: Buffer } }>;

/** The interop cases against one client; each is a test of its own. */
function interopCases(name: string, connect: () => InteropClient, upstream: () => InteropServer): void {
  describe(name, () => {
    let c: InteropClient;
    before(() => (c = connect()));
    after(() => c.close());

    test('empty_unary', async () => {
      const { response } = await unary(c.client, 'EmptyCall', {});
      assert.deepEqual(response, {});
    });

    test('large_unary', async () => {
      const { response } = await unary<{ payload: { body: Buffer } }>(c.client, 'UnaryCall', { response_size: 314159, payload: payloadOf(271828) });
      assert.equal(response.payload.body.length, 314159);
      assert.ok(response.payload.body.every((byte) => byte === 0));
    });

    test('client_streaming', async () => {
      const response = await new Promise<{ aggregated_payload_size: number }>((resolve, reject) => {
        const call = (c.client.StreamingInputCall as (cb: (e: Error | null, r: { aggregated_payload_size: number }) => void) => grpc.ClientWritableStream<unknown>)((error, r) => (error ? reject(error) : resolve(r)));
        for (const size of [27182, 8, 1828, 45904]) call.write({ payload: payloadOf(size) });
        call.end();
      });
      assert.equal(response.aggregated_payload_size, 74922);
    });

    test('server_streaming', async () => {
      const call = (c.client.StreamingOutputCall as (r: unknown) => grpc.ClientReadableStream<{ payload: { body: Buffer } }>)({ response_parameters: [31415, 9, 2653, 58979].map((size) => ({ size })) });
      const sizes: number[] = [];
      for await (const message of call) sizes.push((message as { payload: { body: Buffer } }).payload.body.length);
      assert.deepEqual(sizes, [31415, 9, 2653, 58979]);
    });

    test('ping_pong', async () => {
      const call = (c.client.FullDuplexCall as () => Stream)();
      const iterator = call[Symbol.asyncIterator]();
      const pairs = [
        [31415, 27182],
        [9, 8],
        [2653, 1828],
        [58979, 45904],
      ] as const;
      for (const [responseSize, payloadSize] of pairs) {
        call.write({ response_parameters: [{ size: responseSize }], payload: payloadOf(payloadSize) });
        const next = await iterator.next();
        assert.equal((next.value as { payload: { body: Buffer } }).payload.body.length, responseSize);
      }
      call.end();
      assert.equal((await iterator.next()).done, true);
    });

    test('empty_stream', async () => {
      const call = (c.client.FullDuplexCall as () => Stream)();
      call.end();
      const received: unknown[] = [];
      for await (const message of call) received.push(message);
      assert.deepEqual(received, []);
    });

    test('cancel_after_begin', async () => {
      const before = upstream().calls.length;
      const error = await new Promise<grpc.ServiceError>((resolve) => {
        const call = (c.client.StreamingInputCall as (cb: (e: grpc.ServiceError | null) => void) => grpc.ClientWritableStream<unknown>)((e) => resolve(e!));
        call.cancel();
      });
      assert.equal(error.code, grpc.status.CANCELLED);
      // The upstream saw at most the call, cancelled (the cancel may beat the call to it).
      await waitFor(() => upstream().calls.slice(before).every((seen) => seen.cancelled));
    });

    test('cancel_after_first_response', async () => {
      const before = upstream().calls.length;
      const call = (c.client.FullDuplexCall as () => Stream)();
      const status = new Promise<grpc.ServiceError>((resolve) => call.on('error', resolve));
      call.write({ response_parameters: [{ size: 31415 }], payload: payloadOf(27182) });
      const first = await new Promise<{ payload: { body: Buffer } }>((resolve) => call.once('data', resolve));
      assert.equal(first.payload.body.length, 31415);
      call.cancel();
      assert.equal((await status).code, grpc.status.CANCELLED);
      // The gateway cancelled the upstream stream too.
      await waitFor(() => upstream().calls.slice(before).some((seen) => seen.method === 'FullDuplexCall' && seen.cancelled));
    });

    test('timeout_on_sleeping_server', async () => {
      const call = (c.client.FullDuplexCall as (m: grpc.Metadata, o: grpc.CallOptions) => Stream)(new grpc.Metadata(), { deadline: Date.now() + 1 });
      const error = await new Promise<grpc.ServiceError>((resolve) => {
        call.on('error', resolve);
        call.on('data', () => undefined);
        call.write({ payload: payloadOf(27182) });
      });
      assert.equal(error.code, grpc.status.DEADLINE_EXCEEDED);
    });

    test('custom_metadata', async () => {
      const metadata = new grpc.Metadata();
      metadata.set(ECHO_INITIAL, 'test_initial_metadata_value');
      metadata.set(ECHO_TRAILING, Buffer.from([0xab, 0xab, 0xab]));
      const { initial, trailing } = await unary(c.client, 'UnaryCall', { response_size: 314159, payload: payloadOf(271828) }, metadata);
      assert.deepEqual(initial?.get(ECHO_INITIAL), ['test_initial_metadata_value']);
      assert.deepEqual(trailing?.get(ECHO_TRAILING), [Buffer.from([0xab, 0xab, 0xab])]);

      const call = (c.client.FullDuplexCall as (m: grpc.Metadata) => Stream)(metadata);
      const headers = new Promise<grpc.Metadata>((resolve) => call.once('metadata', resolve));
      const status = new Promise<grpc.StatusObject>((resolve) => call.once('status', resolve));
      call.write({ response_parameters: [{ size: 314159 }], payload: payloadOf(271828) });
      call.end();
      for await (const message of call) assert.equal((message as { payload: { body: Buffer } }).payload.body.length, 314159);
      assert.deepEqual((await headers).get(ECHO_INITIAL), ['test_initial_metadata_value']);
      assert.deepEqual((await status).metadata.get(ECHO_TRAILING), [Buffer.from([0xab, 0xab, 0xab])]);
    });

    test('status_code_and_message', async () => {
      const response_status = { code: 2, message: 'test status message' };
      await assert.rejects(unary(c.client, 'UnaryCall', { response_status }), (error: grpc.ServiceError) => error.code === 2 && error.details === 'test status message');
      const call = (c.client.FullDuplexCall as () => Stream)();
      const error = new Promise<grpc.ServiceError>((resolve) => call.on('error', resolve));
      call.on('data', () => undefined);
      call.write({ response_status });
      call.end();
      const failed = await error;
      assert.equal(failed.code, 2);
      assert.equal(failed.details, 'test status message');
    });

    test('special_status_message', async () => {
      await assert.rejects(unary(c.client, 'UnaryCall', { response_status: { code: 2, message: SPECIAL_MESSAGE } }), (error: grpc.ServiceError) => error.code === 2 && error.details === SPECIAL_MESSAGE);
    });

    test('unimplemented_method', async () => {
      await assert.rejects(unary(c.client, 'UnimplementedCall', {}), (error: grpc.ServiceError) => error.code === grpc.status.UNIMPLEMENTED);
    });
  });
}

async function waitFor(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const pki = new TestPki('Gatehouse gRPC Test CA');
const gatewayCertificate = pki.leaf({ dns: ['localhost'], ips: ['127.0.0.1'] });
const upstreamCertificate = pki.leaf({ dns: ['interop.test'], ips: ['127.0.0.1'] });

let plainUpstream: InteropServer;
let tlsUpstream: InteropServer;
let gw: TestGateway;
let tlsPort: number;

before(async () => {
  plainUpstream = await startInteropServer();
  tlsUpstream = await startInteropServer(grpc.ServerCredentials.createSsl(null, [{ cert_chain: Buffer.from(upstreamCertificate.cert), private_key: Buffer.from(upstreamCertificate.key) }]));
  const caId = '6a2d4c1e-3f5b-4a7c-9d8e-0f1a2b3c4d5e';
  gw = await startTestGateway(
    {
      _format_version: '3.0',
      ca_certificates: [{ id: caId, cert: pki.root.cert }],
      services: [
        { name: 'interop', url: `grpc://127.0.0.1:${plainUpstream.port}`, routes: [{ name: 'interop', hosts: ['plain.test'], paths: ['/grpc.testing.TestService/'], protocols: ['grpc', 'grpcs'], strip_path: false }] },
        {
          name: 'interop-tls',
          url: `grpcs://interop.test:${tlsUpstream.port}`,
          ca_certificates: [caId],
          routes: [{ name: 'interop-tls', hosts: ['tls.test'], paths: ['/grpc.testing.TestService/'], protocols: ['grpcs'], strip_path: false }],
        },
      ],
      upstreams: [{ name: 'interop.test', targets: [{ target: `127.0.0.1:${tlsUpstream.port}` }] }],
    },
    { PROXY_H2C: 'true', PROXY_TLS_LISTEN: '127.0.0.1:0', TLS_CERT: gatewayCertificate.certPath, TLS_KEY: gatewayCertificate.keyPath },
  );
  tlsPort = Number(new URL(gw.gateway.proxyTlsUrl!).port);
});

after(async () => {
  await gw?.close();
  await plainUpstream?.close();
  await tlsUpstream?.close();
});

interopCases('interop cases, h2c client → gateway → h2c grpc:// upstream', () => interopClient(new URL(gw.url).host, { authority: 'plain.test' }), () => plainUpstream);

interopCases(
  'interop cases, TLS client (ALPN h2) → gateway → grpcs:// upstream verified against its CA',
  () =>
    interopClient(`127.0.0.1:${tlsPort}`, {
      authority: 'tls.test',
      credentials: grpc.credentials.createSsl(Buffer.from(pki.root.cert)),
      channelOptions: { 'grpc.ssl_target_name_override': 'localhost' },
    }),
  () => tlsUpstream,
);

test('the access log carries each call with its grpc-status', async () => {
  const c = interopClient(new URL(gw.url).host, { authority: 'plain.test' });
  try {
    await assert.rejects(unary(c.client, 'UnaryCall', { response_status: { code: 9, message: 'logged' } }));
  } finally {
    c.close();
  }
  const deadline = Date.now() + 3000;
  let line;
  while (!(line = gw.accessLogs().find((entry) => entry.grpc_status === 9)) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  assert.ok(line, 'an access-log line with grpc_status 9');
  assert.equal(line.route, 'interop');
  assert.equal(line.path, '/grpc.testing.TestService/UnaryCall');
  assert.equal(line.status, 200);
});
