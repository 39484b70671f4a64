/**
 * The store keys of one plugin instance's windows for each identity, built once per identity rather
 * than per request: the same string objects every time, so stores hash and compare them without
 * building, flattening and rehashing new strings. Memory is bounded: past MAX_IDENTITIES the memo
 * starts over.
 */
import type { WindowSpec } from './windows.js';

const MAX_IDENTITIES = 10_000;

export class SlotKeys {
  private readonly byIdentity = new Map<string, readonly string[]>();

  constructor(
    /** Prefix naming the plugin instance and algorithm. */
    private readonly scope: string,
    private readonly windows: readonly WindowSpec[],
  ) {}

  /** One key per window, in the windows' order. */
  for(identity: string): readonly string[] {
    let keys = this.byIdentity.get(identity);
    if (keys === undefined) {
      if (this.byIdentity.size >= MAX_IDENTITIES) this.byIdentity.clear();
      keys = this.windows.map((window) => `${this.scope}${identity}:${window.name}`);
      this.byIdentity.set(identity, keys);
    }
    return keys;
  }
}
