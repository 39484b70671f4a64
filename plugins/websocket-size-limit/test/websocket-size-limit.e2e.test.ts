/**
 * Black-box: websocket-size-limit through the real listeners, with the `ws` library as client and
 * upstream: a message over the sender's limit — counted across its fragments — closes both sides with
 * 1009 before any byte of it is relayed, in either direction, and the access log says the gateway
 * closed the tunnel and with which code. Messages within the limits pass.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventually, startTestGateway, type TestGateway } from '../../../test/helpers/gateway.js';
import { closed, nextMessage, open } from '../../../test/helpers/websocket-client.js';
import { startWebSocketUpstream, type WebSocketUpstream } from '../../../test/helpers/websocket-upstream.js';

describe('websocket-size-limit', () => {
  let upstream: WebSocketUpstream;
  let gw: TestGateway;
  let ws: string;

  before(async () => {
    upstream = await startWebSocketUpstream();
    gw = await startTestGateway({
      _format_version: '3.0',
      services: [
        {
          name: 'chat',
          url: upstream.url,
          routes: [{ name: 'limited', paths: ['/limited'], strip_path: false, plugins: [{ name: 'websocket-size-limit', config: { client_max_payload: 1024, upstream_max_payload: 4096 } }] }],
        },
      ],
    });
    ws = gw.url.replace('http://', 'ws://');
  });
  after(async () => {
    await gw.close();
    await upstream.close();
  });

  it('closes with 1009 a client message over client_max_payload, its fragments counted together', async () => {
    const client = await open(`${ws}/limited?dir=client`);
    client.send(Buffer.alloc(1024, 1));
    assert.equal((await nextMessage(client)).data.length, 1024);
    // Fragments count together: 600 + 600 crosses 1024.
    const done = closed(client);
    client.send(Buffer.alloc(600, 2), { fin: false });
    client.send(Buffer.alloc(600, 3), { fin: true });
    const close = await done;
    assert.equal(close.code, 1009);
    const seen = await eventually(() => upstream.closes.find((c) => c.path === '/limited?dir=client'), 'the upstream to be closed');
    assert.equal(seen.code, 1009);
    const logged = await eventually(() => gw.accessLogs().find((line) => line.path === '/limited'), 'the access-log line');
    assert.deepEqual(logged.websocket, { closed_by: 'gateway', close_code: 1009 });
  });

  it('closes with 1009 an upstream message over upstream_max_payload', async () => {
    const client = await open(`${ws}/limited?dir=upstream`);
    client.send('send:4096');
    assert.equal((await nextMessage(client)).data.length, 4096);
    const done = closed(client);
    let received = 0;
    client.on('message', () => received++);
    client.send('send:4097');
    assert.equal((await done).code, 1009);
    assert.equal(received, 0, 'no byte of the oversized message was relayed');
    const seen = await eventually(() => upstream.closes.find((c) => c.path === '/limited?dir=upstream'), 'the upstream to be closed');
    assert.equal(seen.code, 1009);
  });
});
