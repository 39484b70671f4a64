/**
 * The process's log destination: writes log lines to a file descriptor (stdout) synchronously, as
 * Node itself writes stdout to files and pipes on Linux, and as nginx writes Kong's access log.
 * sonic-boom, which pino brings, measures each string's UTF-8 length twice and encodes it twice per
 * write; here pino's lines are encoded once and the access log's batches, already bytes, go as they
 * are. A descriptor that takes no more for now (EAGAIN: a non-blocking pipe whose reader is behind)
 * keeps the rest queued and retried shortly, up to MAX_QUEUED_BYTES; past that, new lines are
 * dropped rather than memory grown.
 */
import { writeSync } from 'node:fs';

const RETRY_MS = 10;
const MAX_QUEUED_BYTES = 16 * 1024 * 1024;

export class FdWriter {
  private queue: Uint8Array[] = [];
  private queuedBytes = 0;
  private retry: NodeJS.Timeout | null = null;
  /** Set once the descriptor failed for good (EPIPE, EBADF): from then on lines are dropped. */
  private failed = false;

  constructor(private readonly fd: number) {}

  /** pino's lines: UTF-8 text. */
  write(text: string): boolean {
    this.send(Buffer.from(text, 'utf8'), true);
    return true;
  }

  /** Bytes the caller reuses once this returns: what cannot be written now is copied. */
  writeBytes(bytes: Uint8Array): void {
    this.send(bytes, false);
  }

  /** pino's logger.flush(): writes what is queued, as far as the descriptor takes it now. */
  flush(done?: () => void): void {
    this.drain();
    done?.();
  }

  private send(bytes: Uint8Array, owned: boolean): void {
    if (this.failed) return;
    let rest = bytes;
    if (this.queue.length === 0) {
      const written = this.writeSome(bytes);
      if (written === bytes.length || this.failed) return;
      rest = bytes.subarray(written);
    }
    if (this.queuedBytes + rest.length > MAX_QUEUED_BYTES) return;
    this.queue.push(owned ? rest : Buffer.from(rest));
    this.queuedBytes += rest.length;
    if (this.retry === null) this.retryLater();
  }

  private drain(): void {
    if (this.retry !== null) clearTimeout(this.retry);
    this.retry = null;
    while (this.queue.length > 0) {
      const head = this.queue[0]!;
      const written = this.writeSome(head);
      if (this.failed) return;
      this.queuedBytes -= written;
      if (written < head.length) {
        this.queue[0] = head.subarray(written);
        this.retryLater();
        return;
      }
      this.queue.shift();
    }
  }

  private retryLater(): void {
    this.retry = setTimeout(() => this.drain(), RETRY_MS).unref();
  }

  /** Bytes written now: 0 when the descriptor would block. */
  private writeSome(bytes: Uint8Array): number {
    try {
      return writeSync(this.fd, bytes);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EAGAIN') return 0;
      this.failed = true;
      this.queue = [];
      this.queuedBytes = 0;
      process.stderr.write(`gatehouse: log output failed (${(error as Error).message}); further log lines are dropped\n`);
      return 0;
    }
  }
}
