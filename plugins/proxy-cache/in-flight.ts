/**
 * Request coalescing: while one miss for a key is on its way to the upstream, later requests for the
 * same key wait for its answer instead of calling the upstream too, so a hot key that expires costs
 * the upstream one call, not a stampede. The first request leads; when its answer is complete (and
 * could be kept), the waiters are answered from it, otherwise they go to the upstream themselves.
 * The lead stays visible until its answer is in the store, so a request that looked in the store just
 * before (a Redis GET sent ahead of the SET on the same connection) is answered from it too. Within
 * one gateway process; instances sharing Redis each lead their own.
 */
import type { StoredResponse } from './stored-response.js';

export interface Lead {
  /** Answers the waiters: with the entry to share, or null (not cacheable, failed, cut off). Once only. */
  settle(entry: StoredResponse | null): void;
  /** The entry is in the store (or will not be): later requests read the store again. */
  done(): void;
}

export class InFlightMisses {
  private readonly waiting = new Map<string, Promise<StoredResponse | null>>();

  /** The lead's answer to wait for, if a request for `key` is already on its way. */
  waitFor(key: string): Promise<StoredResponse | null> | undefined {
    return this.waiting.get(key);
  }

  /** Makes the caller the lead for `key`; it must settle and be done, whatever happens. */
  lead(key: string): Lead {
    let resolve!: (entry: StoredResponse | null) => void;
    const answer = new Promise<StoredResponse | null>((done) => (resolve = done));
    this.waiting.set(key, answer);
    let settled = false;
    return {
      settle: (entry) => {
        if (settled) return;
        settled = true;
        resolve(entry);
        if (entry === null) this.forget(key, answer);
      },
      done: () => this.forget(key, answer),
    };
  }

  private forget(key: string, answer: Promise<StoredResponse | null>): void {
    if (this.waiting.get(key) === answer) this.waiting.delete(key);
  }
}
