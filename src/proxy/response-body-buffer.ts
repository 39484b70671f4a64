/**
 * The response body when a plugin asked for it whole (`ctx.bufferResponseBody` from `upstreamHead`, a
 * JSON body transform): held, with its head, until it is complete, then transformed and sent with its
 * new length. A body that grows past the size asked for is let go as it came — head, what was held,
 * then the rest streaming — and the access log says why. Every other response streams as it arrives.
 */
import type { PluginChain } from '../pipeline/chain.js';
import type { ResponseHead } from '../pipeline/contract.js';
import type { Exchange } from './exchange.js';
import type { ProxyRequestContext } from './request-context.js';

/** Statuses that never carry a body (RFC 9110 §6.4.1), whatever their headers say. */
function isBodyless(status: number): boolean {
  return status < 200 || status === 204 || status === 304;
}

/** True when a plugin asked for this response's body whole and the response can have one. */
export function wantsWholeBody(ctx: ProxyRequestContext, status: number): boolean {
  return ctx.responseBodyBuffer > 0 && ctx.method !== 'HEAD' && !isBodyless(status);
}

/** The body the client gets: transformed when it is within the size asked for, else as it came. */
export function transformedResponseBody(ctx: ProxyRequestContext, chain: PluginChain, body: Buffer): Buffer {
  if (body.length > ctx.responseBodyBuffer) {
    ctx.addLogField('body_transform', `response body over ${ctx.responseBodyBuffer} bytes: sent untouched`);
    return body;
  }
  return chain.transformResponseBody(ctx, body);
}

/**
 * The head sent with a whole, possibly transformed, body: the upstream's framing (its length, and the
 * headers its Connection header names) no longer applies; the responder sets the new length.
 */
export function headWithoutFraming(headers: ResponseHead['headers'], listed: ReadonlySet<string> | null): ResponseHead['headers'] {
  const out: ResponseHead['headers'] = {};
  for (const name in headers) if (name !== 'content-length' && (listed === null || !listed.has(name))) out[name] = headers[name];
  return out;
}

/**
 * A held body outgrew the size asked for: the log says so, its head goes out (`sendHead` false: it was
 * refused and the call failed), then what was held; the rest streams behind it.
 */
export function letGo(held: HeldResponse, exchange: Exchange, sendHead: (status: number, headers: ResponseHead['headers']) => boolean): void {
  const ctx = exchange.request;
  ctx.addLogField('body_transform', `response body over ${ctx.responseBodyBuffer} bytes: sent untouched`);
  if (!sendHead(held.status, held.headers)) return;
  for (const chunk of held.held()) {
    exchange.bytesOut += chunk.length;
    exchange.res.write(chunk);
  }
}

/** A response held until its body is whole, or until it outgrows the size asked for. */
export class HeldResponse {
  private readonly chunks: Buffer[] = [];
  private length = 0;

  constructor(
    readonly status: number,
    readonly headers: ResponseHead['headers'],
    private readonly limit: number,
  ) {}

  /** Keeps a chunk; false once the body is over the limit (the caller then sends it untouched). */
  add(chunk: Buffer): boolean {
    // undici hands out views of its read buffer: a held chunk is copied.
    this.chunks.push(Buffer.from(chunk));
    this.length += chunk.length;
    return this.length <= this.limit;
  }

  held(): readonly Buffer[] {
    return this.chunks;
  }

  body(): Buffer {
    return Buffer.concat(this.chunks, this.length);
  }
}
