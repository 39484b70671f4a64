/** What a proxy-cache store does, whether it answers at once (memory) or after a round trip (redis). */
import type { StoredResponse } from '../stored-response.js';

export type MaybePromise<T> = T | Promise<T>;

export interface CacheStrategy {
  /** The entry under `key`, or null; a store that cannot be reached throws or rejects. */
  fetch(key: string): MaybePromise<StoredResponse | null>;
  /** Keeps `entry` for `storageTtl` seconds (evicted earlier when the store is full). */
  store(key: string, entry: StoredResponse, storageTtl: number): MaybePromise<void>;
  /** True when there was an entry to remove. */
  purge(key: string): MaybePromise<boolean>;
  /** Removes every entry. */
  flush(): MaybePromise<void>;
}
