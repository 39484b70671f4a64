/**
 * The answers the gateway makes itself to gRPC calls are gRPC statuses, not JSON (PRODUCT.md,
 * Protocols): 16 for a missing credential, 7 for forbidden, 8 for a rate limit, 14 for an unreachable
 * upstream, 4 for a timeout or a passed grpc-timeout, 12 when no route matches — seen by
 * @grpc/grpc-js as the call's status, in the access log as grpc_status and in the metrics.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:http2';
import { after, before, test } from 'node:test';
import { freePort } from '../support/free-port.js';
import { startTestGateway, type TestGateway } from './helpers/gateway.js';
import { grpc, interopClient, payloadOf, startInteropServer, unary, type InteropServer } from './helpers/grpc-interop.js';

const PATHS = ['/grpc.testing.TestService/'];

let upstream: InteropServer;
let gw: TestGateway;

before(async () => {
  upstream = await startInteropServer();
  const url = `grpc://127.0.0.1:${upstream.port}`;
  const route = (name: string, host: string, plugins: unknown[] = []) => ({ name, hosts: [host], paths: PATHS, protocols: ['grpc', 'grpcs'], strip_path: false, plugins });
  gw = await startTestGateway(
    {
      _format_version: '3.0',
      services: [
        {
          name: 'interop',
          url,
          routes: [
            route('keyed', 'keyed.test', [{ name: 'key-auth' }, { name: 'acl', config: { allow: ['gold'] } }]),
            route('limited', 'limited.test', [{ name: 'rate-limiting', config: { minute: 2, policy: 'local' } }]),
            route('open', 'open.test'),
          ],
        },
        { name: 'slow', url, read_timeout: 300, routes: [route('slow', 'slow.test')] },
        { name: 'dead', url: `grpc://127.0.0.1:${await freePort()}`, retries: 0, routes: [route('dead', 'dead.test')] },
      ],
      consumers: [
        { username: 'alice', keyauth_credentials: [{ key: 'alice-key' }], acls: [{ group: 'gold' }] },
        { username: 'bob', keyauth_credentials: [{ key: 'bob-key' }] },
      ],
      plugins: [{ name: 'prometheus', config: { status_code_metrics: true } }],
    },
    { PROXY_H2C: 'true' },
  );
});

after(async () => {
  await gw?.close();
  await upstream?.close();
});

function client(authority: string) {
  return interopClient(new URL(gw.url).host, { authority });
}

async function failure(authority: string, metadata = new grpc.Metadata()): Promise<grpc.ServiceError> {
  const c = client(authority);
  try {
    await unary(c.client, 'EmptyCall', {}, metadata);
  } catch (error) {
    return error as grpc.ServiceError;
  } finally {
    c.close();
  }
  throw new Error(`the call through ${authority} succeeded`);
}

function withKey(key: string): grpc.Metadata {
  const metadata = new grpc.Metadata();
  metadata.set('apikey', key);
  return metadata;
}

test('a call without its credential is UNAUTHENTICATED (16); with it, it passes', async () => {
  const error = await failure('keyed.test');
  assert.equal(error.code, grpc.status.UNAUTHENTICATED);
  assert.ok(error.details.length > 0, 'grpc-message is set');
  const c = client('keyed.test');
  try {
    assert.deepEqual((await unary(c.client, 'EmptyCall', {}, withKey('alice-key'))).response, {});
  } finally {
    c.close();
  }
});

test('an authenticated consumer outside the ACL is PERMISSION_DENIED (7)', async () => {
  assert.equal((await failure('keyed.test', withKey('bob-key'))).code, grpc.status.PERMISSION_DENIED);
});

test('a call over the rate limit is RESOURCE_EXHAUSTED (8)', async () => {
  const c = client('limited.test');
  try {
    await unary(c.client, 'EmptyCall', {});
    await unary(c.client, 'EmptyCall', {});
    await assert.rejects(unary(c.client, 'EmptyCall', {}), (error: grpc.ServiceError) => error.code === grpc.status.RESOURCE_EXHAUSTED);
  } finally {
    c.close();
  }
});

test('an unreachable upstream is UNAVAILABLE (14), with the cause in the log', async () => {
  const error = await failure('dead.test');
  assert.equal(error.code, grpc.status.UNAVAILABLE);
  const line = await accessLine((entry) => entry.route === 'dead');
  assert.equal(line.grpc_status, 14);
  assert.equal(line.error, 'upstream_unavailable');
  assert.match(String(line.cause), /ECONNREFUSED/);
});

test("an upstream slower than the service's read_timeout is DEADLINE_EXCEEDED (4)", async () => {
  const c = client('slow.test');
  try {
    // A duplex call the upstream answers only once it receives a message: none is sent.
    const call = (c.client.FullDuplexCall as () => grpc.ClientDuplexStream<unknown, unknown>)();
    const error = await new Promise<grpc.ServiceError>((resolve) => call.on('error', resolve));
    assert.equal(error.code, grpc.status.DEADLINE_EXCEEDED);
  } finally {
    c.close();
  }
});

test('no route is UNIMPLEMENTED (12)', async () => {
  assert.equal((await failure('nowhere.test')).code, grpc.status.UNIMPLEMENTED);
  const line = await accessLine((entry) => entry.host === 'nowhere.test');
  assert.equal(line.grpc_status, 12);
  assert.equal(line.error, 'no_route');
});

test("grpc-timeout is the call's deadline: the gateway cancels the upstream and answers DEADLINE_EXCEEDED", async () => {
  const calls = upstream.calls.length;
  // Node's client does not enforce grpc-timeout itself: whatever ends the call is the gateway.
  const session = connect(gw.url);
  try {
    const stream = session.request({ ':method': 'POST', ':path': '/grpc.testing.TestService/FullDuplexCall', ':authority': 'open.test', 'content-type': 'application/grpc', te: 'trailers', 'grpc-timeout': '200m' });
    stream.on('data', () => undefined);
    const trailers = await new Promise<Record<string, unknown>>((resolve, reject) => {
      stream.once('trailers', resolve);
      stream.once('error', reject);
    });
    // The gateway forwards grpc-timeout, so the grpc-js upstream may end the call at the same moment
    // ("Deadline exceeded"); whichever ends it first, the call ends at its deadline with status 4.
    assert.equal(trailers['grpc-status'], '4');
    assert.match(String(trailers['grpc-message']), /^Deadline( |%20)[Ee]xceeded$/);
  } finally {
    session.close();
  }
  await waitFor(() => upstream.calls.slice(calls).some((call) => call.method === 'FullDuplexCall' && call.cancelled));
});

test('metadata reaches the upstream as sent, beside the request ID', async () => {
  const c = client('open.test');
  const metadata = new grpc.Metadata();
  metadata.set('x-custom', 'custom-value');
  metadata.set('x-binary-bin', Buffer.from([1, 2, 3]));
  const calls = upstream.calls.length;
  try {
    await unary(c.client, 'UnaryCall', { response_size: 10, payload: payloadOf(10) }, metadata);
  } finally {
    c.close();
  }
  const seen = upstream.calls[calls]!.metadata;
  assert.deepEqual(seen.get('x-custom'), ['custom-value']);
  assert.deepEqual(seen.get('x-binary-bin'), [Buffer.from([1, 2, 3])]);
  assert.equal(seen.get('x-request-id').length, 1);
});

test('metrics count gRPC calls by grpc-status', async () => {
  const text = await (await fetch(`${gw.adminUrl}/metrics`)).text();
  assert.match(text, /gatehouse_grpc_requests_total\{service="interop",route="keyed",grpc_status="16",consumer=""\} [1-9]/);
  assert.match(text, /gatehouse_grpc_requests_total\{service="interop",route="limited",grpc_status="8",consumer=""\} 1/);
  assert.match(text, /gatehouse_grpc_requests_total\{service="interop",route="limited",grpc_status="0",consumer=""\} 2/);
});

async function accessLine(match: (entry: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
  let line: Record<string, unknown> | undefined;
  await waitFor(() => (line = gw.accessLogs().find(match)) !== undefined);
  return line!;
}

async function waitFor(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
