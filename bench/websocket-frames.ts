/**
 * The fixed-size WebSocket frames of the relay benchmark, made once: a masked client frame and an
 * unmasked server frame with the same payload length, so the load generator and the echo upstream
 * only count bytes (one message every frame's length) and neither side's CPU is spent parsing.
 */
import { createHash } from 'node:crypto';

/** Payload bytes of each message. */
export const PAYLOAD_BYTES = 1024;

function header(length: number, masked: boolean): Buffer {
  const mask = masked ? 0x80 : 0;
  if (length < 126) return Buffer.from([0x82, mask | length]);
  const head = Buffer.from([0x82, mask | 126, 0, 0]);
  head.writeUInt16BE(length, 2);
  return head;
}

/** A binary message from the client: masked, as RFC 6455 requires (a fixed key: nobody reads it). */
export function clientFrame(length = PAYLOAD_BYTES): Buffer {
  const key = Buffer.from([1, 2, 3, 4]);
  const payload = Buffer.alloc(length, 0x61);
  for (let i = 0; i < length; i++) payload[i]! ^= key[i & 3]!;
  return Buffer.concat([header(length, true), key, payload]);
}

/** The same message from the server: unmasked. */
export function serverFrame(length = PAYLOAD_BYTES): Buffer {
  return Buffer.concat([header(length, false), Buffer.alloc(length, 0x61)]);
}

/** Sec-WebSocket-Accept for a key (RFC 6455 §4.2.2). */
export function acceptFor(key: string): string {
  return createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
}
