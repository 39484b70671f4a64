/**
 * The redis policy in exact mode: requests for the same key are decided together by one atomic script
 * call (see HitBatch) — those that arrive in one event-loop turn, or while that key's previous call
 * is still running — so a hot key costs one Redis round trip per batch instead of one per request.
 */
import type { RedisConnection } from '../../../src/plugin-kit/index.js';
import type { WindowSlot } from '../windows.js';
import { HitBatch } from './hit-batch.js';
import type { CounterStore, HitResult } from './store.js';

export class RedisStore implements CounterStore {
  /** Batches still taking requests, by their first window's key (plugin and identity included). */
  private readonly open = new Map<string, HitBatch>();
  /** Keys whose script call is running: their open batch is sent when it is done. */
  private readonly running = new Set<string>();
  private flushScheduled = false;

  constructor(private readonly connection: RedisConnection) {}

  hit(slots: readonly WindowSlot[]): Promise<HitResult> {
    const id = slots[0]!.key;
    let batch = this.open.get(id);
    if (batch === undefined) {
      batch = new HitBatch();
      this.open.set(id, batch);
      this.scheduleFlush();
    }
    return batch.join(slots);
  }

  /** Flushes after the poll phase, when every request read from the sockets in this turn has joined. */
  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(this.flush);
  }

  private readonly flush = (): void => {
    this.flushScheduled = false;
    for (const [id, batch] of this.open) {
      if (this.running.has(id)) continue;
      this.open.delete(id);
      this.running.add(id);
      batch.send(this.connection).then(
        () => this.finished(id, null),
        (error: unknown) => this.finished(id, error),
      );
    }
  };

  /**
   * Sends the batch that waited for this key's call; when that call failed, the waiting requests fail
   * with it, so no request waits longer than one command timeout.
   */
  private finished(id: string, error: unknown): void {
    this.running.delete(id);
    const waiting = this.open.get(id);
    if (waiting === undefined) return;
    if (error === null) {
      this.scheduleFlush();
      return;
    }
    this.open.delete(id);
    waiting.abandon(error);
  }
}
