/** The one operation every counter store implements: check a request against all its windows and count it if admitted. */
import type { WindowSlot, WindowUsage } from '../windows.js';

export interface HitResult {
  /** True when every window had room; the request was then counted in all of them. */
  allowed: boolean;
  /** Per slot, in order: the usage including this request when admitted, excluding it when not. */
  usage: WindowUsage[];
}

export interface CounterStore {
  /** Synchronous when the store can answer from memory; rejects (or throws) when the store is unreachable. */
  hit(slots: readonly WindowSlot[]): HitResult | Promise<HitResult>;
}
