/**
 * The jwt plugin's cache of verified tokens: bounded, least-recently-used, each entry gone at its
 * expiry. It is keyed by the token's last characters (signature bytes) and a hit must equal the whole
 * token, so a lookup never hashes a whole token (V8 hashes a string key character by character).
 */
import { ExpiringLru } from '../../src/plugin-kit/index.js';

/** Signature characters that key an entry: 192 bits, so distinct valid tokens never share a key in practice. */
const KEY_LENGTH = 32;

interface Entry<V> {
  token: string;
  value: V;
}

export class VerifiedTokens<V> {
  private readonly entries: ExpiringLru<Entry<V>>;

  constructor(maxEntries: number) {
    this.entries = new ExpiringLru(maxEntries);
  }

  get size(): number {
    return this.entries.size;
  }

  /** The value cached for exactly this token, if it has not expired. */
  get(token: string, now = Date.now()): V | undefined {
    const entry = this.entries.get(token.slice(-KEY_LENGTH), now);
    return entry !== undefined && entry.token === token ? entry.value : undefined;
  }

  /** Caches `value` for `token` until `expiresAt` (epoch ms). */
  set(token: string, value: V, expiresAt: number): void {
    this.entries.set(token.slice(-KEY_LENGTH), { token, value }, expiresAt);
  }
}
