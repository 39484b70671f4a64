/**
 * The store keys of one plugin instance's windows for each identity, built once per identity rather
 * than per request: the same string objects every time, so stores hash and compare them without
 * building, flattening and rehashing new strings. A key reads `<scope>{<kind>:<value>}:<window>`.
 * Memory is bounded: past MAX_IDENTITIES the memo starts over. The identity is the keys' Redis
 * Cluster hash tag (`{…}`), so every window of one identity lives in one slot and one script call can
 * check and count them all. An identity holding a `}` ends the tag early, but at the same place in
 * each of its keys: they still share a slot.
 */
import type { WindowSpec } from './windows.js';

const MAX_IDENTITIES = 10_000;

/** What an identity is: the kinds of `limit_by`, plus the credential a consumer falls back to. */
export type IdentityKind = 'ip' | 'consumer' | 'credential' | 'service' | 'header' | 'path';

export class SlotKeys {
  private readonly byKind = new Map<IdentityKind, Map<string, readonly string[]>>();
  private size = 0;

  constructor(
    /** Prefix naming the plugin instance and algorithm. */
    private readonly scope: string,
    private readonly windows: readonly WindowSpec[],
  ) {}

  /** One key per window, in the windows' order. */
  for(kind: IdentityKind, value: string): readonly string[] {
    let byValue = this.byKind.get(kind);
    if (byValue === undefined) this.byKind.set(kind, (byValue = new Map()));
    let keys = byValue.get(value);
    if (keys === undefined) {
      if (this.size >= MAX_IDENTITIES) {
        this.byKind.clear();
        this.byKind.set(kind, (byValue = new Map()));
        this.size = 0;
      }
      keys = this.windows.map((window) => `${this.scope}{${kind}:${value}}:${window.name}`);
      byValue.set(value, keys);
      this.size++;
    }
    return keys;
  }
}

/** A key's Redis Cluster hash tag (what decides its slot): keys with the same tag share a slot. */
export function hashTagOf(key: string): string {
  const open = key.indexOf('{');
  const close = key.indexOf('}', open + 1);
  return open === -1 || close <= open + 1 ? key : key.slice(open + 1, close);
}
