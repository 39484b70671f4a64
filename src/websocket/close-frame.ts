/**
 * Close frames the gateway writes itself (RFC 6455 §5.5.1) when it ends a tunnel whose frames it
 * follows: unmasked towards the client, masked towards the upstream, as a client's frames must be.
 */
import { randomBytes } from 'node:crypto';

/** Close codes the gateway sends. */
export const CLOSE_GOING_AWAY = 1001;
export const CLOSE_MESSAGE_TOO_BIG = 1009;

/** A close frame's payload: the code, then the reason in UTF-8, cut to the 123 bytes a control frame allows. */
function closePayload(code: number, reason: string): Buffer {
  const text = Buffer.from(reason, 'utf8').subarray(0, 123);
  const payload = Buffer.allocUnsafe(2 + text.length);
  payload.writeUInt16BE(code, 0);
  text.copy(payload, 2);
  return payload;
}

export function closeFrame(code: number, reason: string, masked: boolean): Buffer {
  const payload = closePayload(code, reason);
  if (!masked) return Buffer.concat([Buffer.from([0x88, payload.length]), payload]);
  const mask = randomBytes(4);
  const frame = Buffer.allocUnsafe(6 + payload.length);
  frame[0] = 0x88;
  frame[1] = 0x80 | payload.length;
  mask.copy(frame, 2);
  for (let i = 0; i < payload.length; i++) frame[6 + i] = payload[i]! ^ mask[i & 3]!;
  return frame;
}
