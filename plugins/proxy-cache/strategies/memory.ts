/**
 * The memory strategy: entries in this process, bounded by bytes (`memory.dictionary_size`, as a Kong
 * shared dict is by its size) and evicted least recently used first; each also expires after its
 * storage TTL. Instances naming the same dictionary (and size) share one store, across config versions.
 */
import { storedSize, type StoredResponse } from '../stored-response.js';
import type { CacheStrategy } from './strategy.js';

interface Slot {
  entry: StoredResponse;
  size: number;
  expiresAt: number;
}

export class MemoryStrategy implements CacheStrategy {
  /** Map order is recency: a read moves its entry to the end, eviction takes from the start. */
  private readonly slots = new Map<string, Slot>();
  private bytes = 0;

  constructor(private readonly capacity: number) {}

  get size(): number {
    return this.bytes;
  }

  fetch(key: string): StoredResponse | null {
    const slot = this.slots.get(key);
    if (slot === undefined) return null;
    if (slot.expiresAt <= Date.now()) {
      this.drop(key, slot);
      return null;
    }
    this.slots.delete(key);
    this.slots.set(key, slot);
    return slot.entry;
  }

  store(key: string, entry: StoredResponse, storageTtl: number): void {
    const size = storedSize(entry);
    const previous = this.slots.get(key);
    if (previous !== undefined) this.drop(key, previous);
    // An entry larger than the whole store would only evict everything else.
    if (size > this.capacity) return;
    for (const [oldest, slot] of this.slots) {
      if (this.bytes + size <= this.capacity) break;
      this.drop(oldest, slot);
    }
    this.slots.set(key, { entry, size, expiresAt: entry.storedAt + storageTtl * 1000 });
    this.bytes += size;
  }

  purge(key: string): boolean {
    const slot = this.slots.get(key);
    if (slot === undefined) return false;
    this.drop(key, slot);
    return true;
  }

  flush(): void {
    this.slots.clear();
    this.bytes = 0;
  }

  private drop(key: string, slot: Slot): void {
    this.slots.delete(key);
    this.bytes -= slot.size;
  }
}
