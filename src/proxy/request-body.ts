/**
 * The client's request body as streamed upstream: each chunk handed to an observer (byte counts, body
 * logging), capped by the size plugins set (the upstream request fails with 413 once it is crossed),
 * and guarded by the service's write_timeout — the clock runs only while the upstream is not
 * accepting a chunk, so a slow client never trips it but a stalled upstream does.
 */
import type { IncomingMessage } from 'node:http';
import type { Http2ServerRequest } from 'node:http2';
import { Errors, GatewayError } from '../errors.js';
import type { PluginChain } from '../pipeline/chain.js';
import type { Exchange } from './exchange.js';
import { WRITE_TIMEOUT_CODE } from './upstream-error.js';

export class WriteTimeoutError extends Error {
  readonly code = WRITE_TIMEOUT_CODE;
  constructor(ms: number) {
    super(`upstream did not accept the request body for ${ms}ms`);
  }
}

/** Counts a chunk of the client's body and shows it to the route's `requestBody` observers. */
export function observeRequestChunk(exchange: Exchange, chain: PluginChain, chunk: Buffer): void {
  exchange.bytesIn += chunk.length;
  if (chain.hasRequestBody) chain.runRequestBody(exchange.request, chunk);
}

/**
 * True when the request carries a body: Content-Length > 0 or any Transfer-Encoding, or on HTTP/2 a
 * head that did not end the stream (its frames carry a body of any length, gRPC's among them).
 */
export function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  if (req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0')) return true;
  return req.httpVersionMajor === 2 && !(req as unknown as Http2ServerRequest).stream.endAfterHeaders;
}

export async function* guardedBody(
  /** The client's stream, or what a body transform made of it. */
  source: AsyncIterable<unknown> | Iterable<unknown>,
  writeTimeoutMs: number,
  maxBytes: number,
  onChunk: (chunk: Buffer) => void,
  onWriteTimeout: (error: WriteTimeoutError) => void,
): AsyncGenerator<Buffer> {
  let total = 0;
  for await (const chunk of source) {
    const buffer = chunk as Buffer;
    onChunk(buffer);
    total += buffer.length;
    // Thrown before the chunk is yielded: undici aborts the upstream request with this error.
    if (total > maxBytes) throw new GatewayError(Errors.bodyTooLarge, { cause: `request body exceeded ${maxBytes} bytes` });
    const timer = setTimeout(() => onWriteTimeout(new WriteTimeoutError(writeTimeoutMs)), writeTimeoutMs);
    try {
      // undici asks for the next chunk only once this one was written (or drained).
      yield buffer;
    } finally {
      clearTimeout(timer);
    }
  }
}
