/** In-memory bucketed counters, the local policy's store and the sync_rate policy's pending counts. */
import type { WindowSlot, WindowUsage } from '../windows.js';
import type { HitResult } from './store.js';

interface Counter {
  /**
   * Bucket ids and counts interleaved, oldest first: [bucket, n, bucket, n, …]. A window spans at
   * most BUCKETS_PER_WINDOW + 1 buckets, so a flat array beats a Map (no entry objects to iterate).
   */
  buckets: number[];
  expiresAt: number;
}

export class BucketCounters {
  private readonly counters = new Map<string, Counter>();

  /** Sum of the buckets still counted by `slot` (older ones are dropped on the way). */
  usage(slot: WindowSlot): WindowUsage {
    const counter = this.counters.get(slot.key);
    if (counter === undefined) return { count: 0, oldestBucket: slot.bucket };
    const buckets = counter.buckets;
    let expired = 0;
    while (expired < buckets.length && buckets[expired]! < slot.oldest) expired += 2;
    if (expired > 0) buckets.splice(0, expired);
    let count = 0;
    for (let i = 1; i < buckets.length; i += 2) count += buckets[i]!;
    return { count, oldestBucket: buckets.length > 0 ? Math.min(buckets[0]!, slot.bucket) : slot.bucket };
  }

  add(slot: WindowSlot, n: number, now: number): void {
    let counter = this.counters.get(slot.key);
    if (counter === undefined) {
      counter = { buckets: [], expiresAt: 0 };
      this.counters.set(slot.key, counter);
    }
    const buckets = counter.buckets;
    // Usually the newest bucket; an older one only when a failed sync puts its counts back.
    let at = buckets.length;
    while (at > 0 && buckets[at - 2]! > slot.bucket) at -= 2;
    if (at > 0 && buckets[at - 2] === slot.bucket) buckets[at - 1]! += n;
    else buckets.splice(at, 0, slot.bucket, n);
    counter.expiresAt = Math.max(counter.expiresAt, now + slot.ttlMs);
  }

  /**
   * The verdict for a request whose windows stand at `usage` (same order as `slots`): admitted when
   * every window has room for one more, and then counted here and in the usage it reports.
   */
  admitIfRoom(slots: readonly WindowSlot[], usage: WindowUsage[]): HitResult {
    for (let i = 0; i < slots.length; i++) if (usage[i]!.count + 1 > slots[i]!.limit) return { allowed: false, usage };
    for (let i = 0; i < slots.length; i++) {
      this.add(slots[i]!, 1, slots[i]!.at);
      usage[i]!.count++;
    }
    return { allowed: true, usage };
  }

  /** Removes and returns every counter's buckets, bucket → count (the sync policy's batch to push). */
  drain(): Map<string, Map<number, number>> {
    const drained = new Map<string, Map<number, number>>();
    for (const [key, { buckets }] of this.counters) {
      const counts = new Map<number, number>();
      for (let i = 0; i < buckets.length; i += 2) counts.set(buckets[i]!, buckets[i + 1]!);
      drained.set(key, counts);
    }
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
