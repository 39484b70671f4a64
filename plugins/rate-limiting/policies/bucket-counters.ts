/** In-memory bucketed counters, the local policy's store and the sync_rate policy's pending counts. */
import type { WindowSlot, WindowUsage } from '../windows.js';

interface Counter {
  buckets: Map<number, number>;
  expiresAt: number;
}

export class BucketCounters {
  private readonly counters = new Map<string, Counter>();

  /** Sum of the buckets still counted by `slot` (older ones are dropped on the way). */
  usage(slot: WindowSlot): WindowUsage {
    const counter = this.counters.get(slot.key);
    let count = 0;
    let oldestBucket = slot.bucket;
    if (counter) {
      for (const [bucket, n] of counter.buckets) {
        if (bucket < slot.oldest) counter.buckets.delete(bucket);
        else {
          count += n;
          if (bucket < oldestBucket) oldestBucket = bucket;
        }
      }
    }
    return { count, oldestBucket };
  }

  add(slot: WindowSlot, n: number, now: number): void {
    let counter = this.counters.get(slot.key);
    if (!counter) {
      counter = { buckets: new Map(), expiresAt: 0 };
      this.counters.set(slot.key, counter);
    }
    counter.buckets.set(slot.bucket, (counter.buckets.get(slot.bucket) ?? 0) + n);
    counter.expiresAt = Math.max(counter.expiresAt, now + slot.ttlMs);
  }

  /** Removes and returns every counter's buckets (the sync policy's batch to push). */
  drain(): Map<string, Map<number, number>> {
    const drained = new Map<string, Map<number, number>>();
    for (const [key, counter] of this.counters) drained.set(key, counter.buckets);
    this.counters.clear();
    return drained;
  }

  /** Forgets counters nothing counts any more, so memory follows the active clients. */
  sweep(now: number): void {
    for (const [key, counter] of this.counters) if (counter.expiresAt <= now) this.counters.delete(key);
  }

  get size(): number {
    return this.counters.size;
  }
}
