/**
 * Keeps the first `max` bytes of a streamed body for a log entry and counts the rest, so a logged body
 * is either whole or explicitly marked as cut, with its full length. Textual content types are logged
 * as UTF-8 text, anything else as base64.
 */

const TEXTUAL = /^(text\/|application\/(json|xml|javascript|x-www-form-urlencoded|graphql|x-ndjson)\b)|\+(json|xml)\b/i;

export interface LoggedBody {
  body: string;
  body_encoding: 'utf8' | 'base64';
  /** True when only the first max_body_bytes bytes are in `body`. */
  body_truncated: boolean;
  /** The body's full length in bytes. */
  body_length: number;
}

export function isTextual(contentType: string | undefined): boolean {
  return contentType !== undefined && TEXTUAL.test(contentType);
}

export class BodyCapture {
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  private total = 0;

  constructor(private readonly max: number) {}

  add(chunk: Buffer): void {
    this.total += chunk.length;
    const room = this.max - this.kept;
    if (room <= 0) return;
    // Copied, so a log entry never pins the larger network buffer a chunk may be a slice of.
    const part = Buffer.from(chunk.length <= room ? chunk : chunk.subarray(0, room));
    this.chunks.push(part);
    this.kept += part.length;
  }

  render(contentType: string | undefined): LoggedBody {
    const bytes = Buffer.concat(this.chunks, this.kept);
    const textual = isTextual(contentType);
    return {
      body: bytes.toString(textual ? 'utf8' : 'base64'),
      body_encoding: textual ? 'utf8' : 'base64',
      body_truncated: this.total > this.kept,
      body_length: this.total,
    };
  }
}
