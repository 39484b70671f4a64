/**
 * The redis policy with sync_rate: requests are decided from memory — the cluster totals fetched at
 * the last sync plus what this instance admitted since — and every sync_rate seconds one script call
 * pushes this instance's counts and fetches fresh totals for every active key.
 *
 * Accuracy: an instance does not see what the others admitted since their last sync, so a limit can be
 * exceeded by at most what the other instances admit in one sync_rate period (less than r × sync_rate
 * for a client sending r requests/s in total). Totals fetched at a sync keep
 * counting buckets that slide out of the window until the next sync (strict, never lenient). A key seen
 * for the first time (or again after a quiet sync period) waits for one fetch, so a single instance stays exact.
 * In a Redis Cluster one script call may only touch one slot, so a sync is one call per identity
 * (per hash tag), sent together.
 */
import type { RedisConnection } from '../../../src/plugin-kit/index.js';
import { hashTagOf } from '../slot-keys.js';
import type { WindowSlot, WindowUsage } from '../windows.js';
import { BucketCounters } from './bucket-counters.js';
import { SYNC_SCRIPT, usagePairs } from './redis-scripts.js';
import type { CounterStore, HitResult } from './store.js';

interface Entry {
  /** The latest slot a request used (oldest bucket and ttl for the next sync). */
  slot: WindowSlot;
  /** Cluster totals at the last sync, and the bucket that was current then. */
  remote: (WindowUsage & { syncedBucket: number }) | null;
  /** Counts pushed by the sync in flight, still to be added until its totals arrive. */
  inflight: Map<number, number> | null;
  loading: Promise<void> | null;
  used: boolean;
}

function sumFrom(buckets: Map<number, number> | null | undefined, oldest: number): number {
  let sum = 0;
  if (buckets) for (const [bucket, n] of buckets) if (bucket >= oldest) sum += n;
  return sum;
}

export class RedisSyncStore implements CounterStore {
  private readonly entries = new Map<string, Entry>();
  private readonly pending = new BucketCounters();
  private failure: unknown = null;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly connection: RedisConnection,
    syncRateSeconds: number,
  ) {
    this.timer = setInterval(() => void this.syncActive(), syncRateSeconds * 1000).unref();
  }

  hit(slots: readonly WindowSlot[]): HitResult | Promise<HitResult> {
    if (this.failure !== null) throw this.failure;
    let loads: Promise<void>[] | null = null;
    for (const slot of slots) {
      let entry = this.entries.get(slot.key);
      if (!entry) {
        entry = { slot, remote: null, inflight: null, loading: null, used: true };
        this.entries.set(slot.key, entry);
        entry.loading = this.sync([slot.key]);
      }
      if (entry.remote === null) (loads ??= []).push(entry.loading!);
    }
    if (loads !== null) return Promise.all(loads).then(() => this.hit(slots));
    return this.decide(slots);
  }

  private decide(slots: readonly WindowSlot[]): HitResult {
    const usage: WindowUsage[] = [];
    for (const slot of slots) {
      const entry = this.entries.get(slot.key)!;
      entry.slot = slot;
      entry.used = true;
      const remote = entry.remote!;
      const shared = remote.syncedBucket < slot.oldest ? 0 : remote.count;
      const local = this.pending.usage(slot);
      usage.push({
        count: shared + sumFrom(entry.inflight, slot.oldest) + local.count,
        oldestBucket: shared > 0 ? Math.min(remote.oldestBucket, local.oldestBucket) : local.oldestBucket,
      });
    }
    return this.pending.admitIfRoom(slots, usage);
  }

  /** Periodic sync of every key used since the last one; quiet keys are forgotten. */
  private async syncActive(): Promise<void> {
    const keys: string[] = [];
    for (const [key, entry] of this.entries) {
      if (entry.loading) continue;
      if (entry.used) {
        keys.push(key);
        entry.used = false;
      } else this.entries.delete(key);
    }
    if (keys.length > 0) await Promise.all(this.callsFor(keys).map((call) => this.sync(call).catch(() => {})));
    else if (this.failure !== null) {
      // Nothing to push while failing (requests bypass the store): probe so limiting resumes.
      await this.connection.client.ping().then(() => (this.failure = null), () => {});
    }
  }

  /** The keys of one sync, split into script calls: one for a single Redis, one per hash tag for a Cluster. */
  private callsFor(keys: string[]): string[][] {
    if (!this.connection.isCluster) return [keys];
    const byTag = new Map<string, string[]>();
    for (const key of keys) {
      const tag = hashTagOf(key);
      const group = byTag.get(tag);
      if (group) group.push(key);
      else byTag.set(tag, [key]);
    }
    return [...byTag.values()];
  }

  /** Pushes the keys' pending counts and takes the cluster totals; on failure the pushed counts are lost. */
  private async sync(keys: string[]): Promise<void> {
    const drained = this.pending.drain();
    const args: (string | number)[] = [];
    const entries = keys.map((key) => this.entries.get(key)!);
    entries.forEach((entry, i) => {
      const buckets = drained.get(keys[i]!) ?? new Map<number, number>();
      drained.delete(keys[i]!);
      entry.inflight = buckets;
      args.push(entry.slot.oldest, entry.slot.ttlMs, buckets.size);
      for (const [bucket, n] of buckets) args.push(bucket, n);
    });
    this.restore(drained);
    try {
      const reply = (await this.connection.run(SYNC_SCRIPT, keys, args)) as number[];
      const usage = usagePairs(reply, 0, entries.map((entry) => entry.slot));
      entries.forEach((entry, i) => (entry.remote = { ...usage[i]!, syncedBucket: entry.slot.bucket }));
      this.failure = null;
    } catch (error) {
      this.failure = error;
      for (const key of keys) this.entries.delete(key);
      throw error;
    } finally {
      for (const entry of entries) {
        entry.inflight = null;
        entry.loading = null;
      }
    }
  }

  /** Puts back the pending counts of keys that were not part of this sync. */
  private restore(drained: Map<string, Map<number, number>>): void {
    const now = Date.now();
    for (const [key, buckets] of drained) {
      const entry = this.entries.get(key);
      if (!entry) continue;
      for (const [bucket, n] of buckets) this.pending.add({ ...entry.slot, bucket }, n, now);
    }
  }

  close(): void {
    clearInterval(this.timer);
  }
}
