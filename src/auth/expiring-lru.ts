/**
 * A bounded least-recently-used map whose entries each carry an expiry time: the caches of verified
 * tokens, password checks and authorizer decisions, which must never grow without limit nor serve
 * an answer past its lifetime.
 */

interface Entry<V> {
  value: V;
  /** Epoch milliseconds after which the entry is gone. */
  expiresAt: number;
}

export class ExpiringLru<V> {
  private readonly entries = new Map<string, Entry<V>>();
  /** The most recently used entry: a repeated hit on it needs no reordering. */
  private youngest: Entry<V> | undefined;

  constructor(private readonly maxEntries: number) {}

  get size(): number {
    return this.entries.size;
  }

  get(key: string, now = Date.now()): V | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= now) {
      this.entries.delete(key);
      return undefined;
    }
    if (entry !== this.youngest) {
      // Re-inserting moves the key to the young end of the Map's insertion order.
      this.entries.delete(key);
      this.entries.set(key, entry);
      this.youngest = entry;
    }
    return entry.value;
  }

  set(key: string, value: V, expiresAt: number): void {
    if (expiresAt <= Date.now()) return;
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    const entry = { value, expiresAt };
    this.entries.set(key, entry);
    this.youngest = entry;
  }

  clear(): void {
    this.entries.clear();
    this.youngest = undefined;
  }
}
