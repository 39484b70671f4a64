/**
 * The client's request body as streamed upstream: each chunk handed to an observer (byte counts, body
 * logging), capped by the size plugins set (the upstream request fails with 413 once it is crossed),
 * and guarded by the service's write_timeout — the clock runs only while the upstream is not
 * accepting a chunk, so a slow client never trips it but a stalled upstream does.
 */
import type { IncomingMessage } from 'node:http';
import { Errors, GatewayError } from '../errors.js';
import { WRITE_TIMEOUT_CODE } from './upstream-error.js';

export class WriteTimeoutError extends Error {
  readonly code = WRITE_TIMEOUT_CODE;
  constructor(ms: number) {
    super(`upstream did not accept the request body for ${ms}ms`);
  }
}

/** True when the request carries a body (Content-Length > 0 or any Transfer-Encoding). */
export function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

export async function* guardedBody(
  req: IncomingMessage,
  writeTimeoutMs: number,
  maxBytes: number,
  onChunk: (chunk: Buffer) => void,
  onWriteTimeout: (error: WriteTimeoutError) => void,
): AsyncGenerator<Buffer> {
  let total = 0;
  for await (const chunk of req) {
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
