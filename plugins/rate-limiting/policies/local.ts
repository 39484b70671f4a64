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
    for (const slot of slots) usage.push(this.counters.usage(slot));
    return this.counters.admitIfRoom(slots, usage);
  }

  close(): void {
    clearInterval(this.sweeper);
  }
}
