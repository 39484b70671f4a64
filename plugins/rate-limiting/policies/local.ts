/** The local policy: counters in this process's memory, exact for one instance, not shared with others. */
import type { WindowSlot } from '../windows.js';
import { BucketCounters } from './bucket-counters.js';
import type { CounterStore, HitResult } from './store.js';

const SWEEP_INTERVAL_MS = 10_000;

export class LocalStore implements CounterStore {
  private readonly counters = new BucketCounters();
  private readonly sweeper = setInterval(() => this.counters.sweep(Date.now()), SWEEP_INTERVAL_MS).unref();

  hit(slots: readonly WindowSlot[]): HitResult {
    const usage = slots.map((slot) => this.counters.usage(slot));
    const allowed = slots.every((slot, i) => usage[i]!.count + 1 <= slot.limit);
    if (allowed) {
      const now = Date.now();
      slots.forEach((slot, i) => {
        this.counters.add(slot, 1, now);
        usage[i]!.count++;
      });
    }
    return { allowed, usage };
  }

  close(): void {
    clearInterval(this.sweeper);
  }
}
