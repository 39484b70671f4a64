/**
 * An upstream answer being kept as it streams to the client: its head as it arrived, and a copy of
 * each body chunk, until the body is complete — or grows past max_body_bytes, when the copy is
 * dropped and the answer streams on uncached.
 */
import type { StoredResponse } from './stored-response.js';

export class CapturedResponse {
  private chunks: Buffer[] | null = [];
  private length = 0;

  constructor(
    private readonly status: number,
    private readonly headers: Record<string, string | string[]>,
    private readonly ttl: number,
    private readonly maxBytes: number,
    /** The upstream's Content-Length, when it sent one: a shorter body was cut off. */
    private readonly declaredLength: number | null,
  ) {}

  add(chunk: Buffer): void {
    if (this.chunks === null) return;
    this.length += chunk.length;
    if (this.length > this.maxBytes) {
      this.chunks = null;
      return;
    }
    // The chunk is the proxy's to reuse: keep a copy.
    this.chunks.push(Buffer.from(chunk));
  }

  /** The entry to keep, or null when the body outgrew the limit or came short of its declared length. */
  entry(now: number): StoredResponse | null {
    if (this.chunks === null) return null;
    if (this.declaredLength !== null && this.declaredLength !== this.length) return null;
    return { status: this.status, headers: this.headers, body: Buffer.concat(this.chunks, this.length), storedAt: now, ttl: this.ttl };
  }
}
