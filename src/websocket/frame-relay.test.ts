/**
 * Unit: the frame-following relay with the real websocket-size-limit plugin in a real chain, real
 * streams as the two sinks. Bytes pass unchanged however chunks cut frames (one byte at a time
 * included); a message over the limit is counted across fragments, control frames between them
 * excepted; the frame that crosses it is never relayed; and each side's close frame waits for the
 * frame boundary of the bytes flowing to it.
 */
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import sizeLimit from '../../plugins/websocket-size-limit/index.js';
import { PluginChain } from '../pipeline/chain.js';
import type { InstanceContext, RequestContext } from '../pipeline/contract.js';
import { closeFrame } from './close-frame.js';
import { FrameRelay } from './frame-relay.js';

function frame(opcode: number, payload: Buffer, { fin = true, masked = false } = {}): Buffer {
  const length = payload.length;
  const head = length < 126 ? [length] : length < 65536 ? [126, length >> 8, length & 0xff] : [127, 0, 0, 0, 0, (length >>> 24) & 0xff, (length >> 16) & 0xff, (length >> 8) & 0xff, length & 0xff];
  head[0]! |= masked ? 0x80 : 0;
  const key = masked ? Buffer.from([9, 8, 7, 6]) : Buffer.alloc(0);
  const body = masked ? Buffer.from(payload.map((byte, i) => byte ^ key[i & 3]!)) : payload;
  return Buffer.concat([Buffer.from([(fin ? 0x80 : 0) | opcode, ...head]), key, body]);
}

function relayWith(config: Record<string, number>) {
  const handlers = sizeLimit.instantiate(sizeLimit.configSchema.parse(config), {} as InstanceContext);
  const chain = new PluginChain([{ name: 'websocket-size-limit', base: handlers, byConsumer: null }]);
  const toUpstream = new PassThrough();
  const toClient = new PassThrough();
  const seen = { upstream: [] as Buffer[], client: [] as Buffer[], closed: false };
  toUpstream.on('data', (chunk: Buffer) => seen.upstream.push(chunk));
  toClient.on('data', (chunk: Buffer) => seen.client.push(chunk));
  const relay = new FrameRelay({} as RequestContext, chain, toClient as unknown as Socket, toUpstream as unknown as Socket, () => (seen.closed = true));
  return { relay, seen };
}

/** Lets the PassThroughs deliver what was written. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('frame relay', () => {
  it('relays bytes unchanged however chunks cut the frames', async () => {
    const { relay, seen } = relayWith({ client_max_payload: 100_000, upstream_max_payload: 100_000 });
    const fromClient = Buffer.concat([
      frame(2, Buffer.alloc(70_000, 1), { masked: true }),
      frame(9, Buffer.from('ping'), { masked: true }),
      frame(1, Buffer.from('first '), { fin: false, masked: true }),
      frame(0, Buffer.from('second'), { masked: true }),
    ]);
    for (let i = 0; i < 300; i++) relay.fromClient(fromClient.subarray(i, i + 1));
    relay.fromClient(fromClient.subarray(300));
    const fromUpstream = Buffer.concat([frame(1, Buffer.from('hello')), frame(2, Buffer.alloc(300, 2))]);
    for (const byte of fromUpstream) relay.fromUpstream(Buffer.from([byte]));
    await settle();
    assert.ok(Buffer.concat(seen.upstream).equals(fromClient));
    assert.ok(Buffer.concat(seen.client).equals(fromUpstream));
    assert.equal(seen.closed, false);
  });

  it('counts a message across its fragments, not the control frames between them, and relays nothing of the frame over the limit', async () => {
    const { relay, seen } = relayWith({ client_max_payload: 1000 });
    const allowed = Buffer.concat([frame(2, Buffer.alloc(600), { fin: false, masked: true }), frame(9, Buffer.alloc(100), { masked: true }), frame(0, Buffer.alloc(400), { masked: true })]);
    const over = Buffer.concat([frame(2, Buffer.alloc(600), { fin: false, masked: true }), frame(9, Buffer.alloc(100), { masked: true })]);
    const crossing = frame(0, Buffer.alloc(401), { masked: true });
    relay.fromClient(Buffer.concat([allowed, over, crossing, frame(1, Buffer.from('after'), { masked: true })]));
    await settle();
    const toUpstream = Buffer.concat(seen.upstream);
    assert.ok(toUpstream.subarray(0, allowed.length + over.length).equals(Buffer.concat([allowed, over])));
    // Then the gateway's masked close 1009, and nothing else.
    const close = toUpstream.subarray(allowed.length + over.length);
    assert.equal(close[0], 0x88);
    assert.equal(close.length, 6 + (close[1]! & 0x7f));
    assert.ok(Buffer.concat(seen.client).equals(closeFrame(1009, 'client message over 1000 bytes', false)));
    assert.equal(seen.closed, true);
  });

  it("sends a side its close only once the frame flowing to it is through", async () => {
    const { relay, seen } = relayWith({ client_max_payload: 10 });
    const long = frame(2, Buffer.alloc(5000, 3));
    relay.fromUpstream(long.subarray(0, 2000));
    relay.fromClient(frame(1, Buffer.alloc(11), { masked: true }));
    await settle();
    assert.equal(Buffer.concat(seen.client).length, 2000, 'no close in the middle of a frame');
    assert.equal(seen.closed, false);
    relay.fromUpstream(Buffer.concat([long.subarray(2000), frame(1, Buffer.from('dropped'))]));
    await settle();
    const toClient = Buffer.concat(seen.client);
    assert.ok(toClient.subarray(0, long.length).equals(long));
    assert.ok(toClient.subarray(long.length).equals(closeFrame(1009, 'client message over 10 bytes', false)));
    assert.equal(seen.closed, true);
  });
});
