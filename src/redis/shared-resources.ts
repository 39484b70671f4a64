/**
 * Reference-counted resources shared by plugin instances (Redis clients, counter stores): created on
 * first use, kept while any instance of any config version holds them, disposed with the last one.
 * A new config version acquires before the old one releases, so a reload never reconnects.
 */

export interface Lease<T> {
  readonly value: T;
  /** Idempotent. */
  release(): void;
}

export class SharedResources<T> {
  private readonly entries = new Map<string, { value: T; refs: number }>();

  constructor(private readonly dispose: (value: T) => void) {}

  acquire(key: string, create: () => T): Lease<T> {
    let entry = this.entries.get(key);
    if (!entry) {
      entry = { value: create(), refs: 0 };
      this.entries.set(key, entry);
    }
    entry.refs++;
    const held = entry;
    let released = false;
    return {
      value: held.value,
      release: () => {
        if (released) return;
        released = true;
        if (--held.refs === 0 && this.entries.get(key) === held) {
          this.entries.delete(key);
          this.dispose(held.value);
        }
      },
    };
  }

  /** Everything held right now (e.g. every store an admin purge must reach). */
  values(): T[] {
    return [...this.entries.values()].map((entry) => entry.value);
  }

  /** Disposes everything still held (process shutdown). */
  closeAll(): void {
    for (const { value } of this.entries.values()) this.dispose(value);
    this.entries.clear();
  }
}
