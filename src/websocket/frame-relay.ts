/**
 * A tunnel that follows frames, for routes whose plugins have a `webSocketFrame` handler (the
 * websocket-size-limit plugin): each direction's bytes are relayed as they arrive, chunk for chunk,
 * and only frame headers are read — a payload is counted through, never copied, unmasked or held. A
 * handler's close stops the frame it was shown before any of it is relayed; each side then gets a
 * close frame at the next frame boundary of the bytes flowing to it, so neither ever receives a
 * frame cut in two. Routes without such a handler never load the frames' cost: their tunnels are a
 * plain socket pipe (tunnel.ts).
 */
import type { Socket } from 'node:net';
import type { PluginChain } from '../pipeline/chain.js';
import type { RequestContext, WebSocketClose, WebSocketFrame } from '../pipeline/contract.js';
import { closeFrame } from './close-frame.js';

/** The frame object handed to handlers, one per direction, reused frame after frame. */
type FrameFields = { -readonly [K in keyof WebSocketFrame]: WebSocketFrame[K] };

const CLOSE_OPCODE = 8;
/** RFC 6455 §7.4.1: the endpoint met a condition it did not expect. */
const CLOSE_INTERNAL_ERROR = 1011;

/** One direction: what is known of the frame being relayed, and where its bytes go. */
class FrameStream {
  /** Payload bytes of the current frame still to come; 0 at a frame boundary. */
  remaining = 0;
  /** The start of a frame header a chunk cut short, kept back until the rest arrives. */
  held: Buffer | null = null;
  /** A close frame to write once the current frame has gone through. */
  pendingClose: Buffer | null = null;
  /** Past the gateway's close frame: nothing more is relayed. */
  stopped = false;
  /** Payload bytes of the data message under way (its frames so far); control frames between them do not count. */
  messageLength = 0;
  readonly frame: FrameFields;

  constructor(
    from: 'client' | 'upstream',
    readonly sink: Socket,
  ) {
    this.frame = { from, opcode: 0, fin: true, payloadLength: 0, messageLength: 0 };
  }
}

/** Bytes the header starting at `pos` takes, or -1 when fewer than two of its bytes are there. */
function headerLength(chunk: Buffer, pos: number): number {
  if (chunk.length - pos < 2) return -1;
  const second = chunk[pos + 1]!;
  const lengthCode = second & 0x7f;
  return 2 + (lengthCode === 126 ? 2 : lengthCode === 127 ? 8 : 0) + (second & 0x80 ? 4 : 0);
}

function payloadLength(chunk: Buffer, pos: number): number {
  const lengthCode = chunk[pos + 1]! & 0x7f;
  if (lengthCode < 126) return lengthCode;
  if (lengthCode === 126) return chunk.readUInt16BE(pos + 2);
  return chunk.readUInt32BE(pos + 2) * 2 ** 32 + chunk.readUInt32BE(pos + 6);
}

export class FrameRelay {
  private readonly up: FrameStream;
  private readonly down: FrameStream;
  /** Whose close frame came first, for the outcome's `closedBy`. */
  firstCloseFrom: 'client' | 'upstream' | null = null;
  /** The close the gateway sends, once one was asked for. */
  closing: WebSocketClose | null = null;
  /** Why a handler failed, for the log. */
  failure: string | null = null;

  constructor(
    private readonly ctx: RequestContext,
    private readonly chain: PluginChain,
    client: Socket,
    upstream: Socket,
    /** Called once the gateway's close frame went to both sides. */
    private readonly onClosed: () => void,
  ) {
    this.up = new FrameStream('client', upstream);
    this.down = new FrameStream('upstream', client);
  }

  /** Relays a chunk from the client; false when the upstream's buffer is full (pause the client). */
  fromClient(chunk: Buffer): boolean {
    return this.relay(this.up, chunk);
  }

  fromUpstream(chunk: Buffer): boolean {
    return this.relay(this.down, chunk);
  }

  /** Sends both sides a close frame at their next frame boundary, then nothing more. */
  close(close: WebSocketClose): void {
    if (this.closing !== null) return;
    this.closing = close;
    for (const stream of [this.up, this.down]) {
      // The upstream gets a client's frame, masked; the client a server's, unmasked.
      const frame = closeFrame(close.code, close.reason, stream === this.up);
      // Held header bytes were never relayed: the sink is at a boundary.
      if (stream.remaining === 0) this.stop(stream, frame);
      else stream.pendingClose = frame;
    }
  }

  private stop(stream: FrameStream, frame: Buffer): void {
    stream.sink.write(frame);
    stream.stopped = true;
    stream.held = null;
    stream.pendingClose = null;
    if (this.up.stopped && this.down.stopped) this.onClosed();
  }

  private relay(stream: FrameStream, input: Buffer): boolean {
    if (stream.stopped) return true;
    let chunk = input;
    if (stream.held !== null) {
      chunk = Buffer.concat([stream.held, input]);
      stream.held = null;
    }
    const end = chunk.length;
    let pos = 0;
    while (pos < end) {
      if (stream.remaining > 0) {
        const take = Math.min(stream.remaining, end - pos);
        stream.remaining -= take;
        pos += take;
        continue;
      }
      if (stream.pendingClose !== null) {
        stream.sink.write(chunk.subarray(0, pos));
        this.stop(stream, stream.pendingClose);
        return true;
      }
      const length = headerLength(chunk, pos);
      if (length < 0 || pos + length > end) {
        stream.held = Buffer.from(chunk.subarray(pos));
        return pos === 0 ? true : stream.sink.write(chunk.subarray(0, pos));
      }
      const close = this.inspect(stream, chunk, pos);
      if (close) {
        if (pos > 0) stream.sink.write(chunk.subarray(0, pos));
        this.close(close);
        return true;
      }
      stream.remaining = stream.frame.payloadLength;
      pos += length;
    }
    if (stream.remaining === 0 && stream.pendingClose !== null) {
      stream.sink.write(chunk);
      this.stop(stream, stream.pendingClose);
      return true;
    }
    return stream.sink.write(chunk);
  }

  /** Reads the header at `pos` into the direction's frame and asks the handlers about it. */
  private inspect(stream: FrameStream, chunk: Buffer, pos: number): WebSocketClose | void {
    const frame = stream.frame;
    const first = chunk[pos]!;
    frame.opcode = first & 0x0f;
    frame.fin = (first & 0x80) !== 0;
    frame.payloadLength = payloadLength(chunk, pos);
    if (frame.opcode >= CLOSE_OPCODE) {
      frame.messageLength = frame.payloadLength;
      if (frame.opcode === CLOSE_OPCODE) this.firstCloseFrom ??= frame.from;
    } else {
      // A continuation adds to its message; a text or binary frame starts one.
      stream.messageLength = (frame.opcode === 0 ? stream.messageLength : 0) + frame.payloadLength;
      frame.messageLength = stream.messageLength;
    }
    try {
      return this.chain.runWebSocketFrame(this.ctx, frame);
    } catch (error) {
      this.failure = `webSocketFrame handler failed: ${error instanceof Error ? error.message : String(error)}`;
      return { code: CLOSE_INTERNAL_ERROR, reason: 'internal error' };
    }
  }
}
