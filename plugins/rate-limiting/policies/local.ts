/** The local policy: counters in this process's memory, exact for one instance, not shared with others. */
import type { WindowSlot, WindowUsage } from '../windows.js';
import { BucketCounters } from './bucket-counters.js';
import type { CounterStore, HitResult } from './store.js';

const SWEEP_INTERVAL_MS = 10_000;

export class LocalStore implements CounterStore {
  private readonly counters = new BucketCounters();
  private readonly sweeper = setInterval(() => this.counters.sweep(Date.now()), SWEEP_INTERVAL_MS).unref();

  hit(slots: readonly WindowSlot[]): HitResult {
    const usage: WindowUsage[] = [];
    let allowed = true;
    for (const slot of slots) {
      const counted = this.counters.usage(slot);
      usage.push(counted);
      if (counted.count + 1 > slot.limit) allowed = false;
    }
    if (allowed) this.counters.admit(slots, usage);
    return { allowed, usage };
  }

  close(): void {
    clearInterval(this.sweeper);
  }
}
