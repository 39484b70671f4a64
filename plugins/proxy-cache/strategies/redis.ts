/**
 * The redis strategy: entries in Redis, shared by every gateway instance using it (Kong keeps this
 * for Enterprise's proxy-cache-advanced), one key each with Redis's own expiry as the storage TTL.
 * An entry read in the last RECENT_READ_MS is served again from this process (recent-reads.ts), and a
 * purge answers only once that window has passed, so every instance sharing the store has let go of
 * what it removed. Other lookups are batched: the keys asked for in one event-loop turn go in one
 * MGET (a GET per request cost about as much as the upstream call a hit saves: a write and a read on
 * a socket each), sent after the requests arrived and never joined by later ones (its answer may
 * predate a purge they follow; measured, joining it saved nothing either). A store is one SET;
 * purging everything walks the plugin's keys with SCAN. Commands fail fast and are bounded by
 * `redis.timeout` (the shared client's rules), so a Redis outage costs a request at most that, and the
 * plugin then bypasses the cache; losing the connection forgets the recent reads at once.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { RedisConnection } from '../../../src/plugin-kit/index.js';
import { decodeStored, encodeStored, type StoredResponse } from '../stored-response.js';
import { RECENT_READ_MS, RecentReads } from './recent-reads.js';
import type { CacheStrategy } from './strategy.js';

/** Every entry's key starts with this, so a purge of all finds them and nothing else. */
export const KEY_PREFIX = 'gatehouse:pc:';
const SCAN_BATCH = 500;

/** One key's lookup of this turn: every request asking for it in the turn gets its answer. */
class Lookup {
  resolve!: (entry: StoredResponse | null) => void;
  reject!: (error: unknown) => void;
  readonly answer = new Promise<StoredResponse | null>((resolve, reject) => {
    this.resolve = resolve;
    this.reject = reject;
  });
}

export class RedisStrategy implements CacheStrategy {
  /** Lookups of this turn by key, sent together after the poll phase. */
  private queued = new Map<string, Lookup>();
  private readonly recent = new RecentReads();

  constructor(private readonly connection: RedisConnection) {
    // Redis went away (or restarted empty): nothing read before may be served again.
    connection.client.on('close', () => this.recent.clear());
  }

  fetch(key: string): StoredResponse | Promise<StoredResponse | null> {
    const recent = this.recent.get(key, performance.now());
    if (recent !== undefined) return recent;
    let lookup = this.queued.get(key);
    if (lookup === undefined) {
      if (this.queued.size === 0) setImmediate(this.sendLookups);
      lookup = new Lookup();
      this.queued.set(key, lookup);
    }
    return lookup.answer;
  }

  /** One MGET for every key asked for in this turn; when it fails, every lookup in it fails. */
  private readonly sendLookups = (): void => {
    const batch = this.queued;
    this.queued = new Map();
    const keys: string[] = [];
    for (const key of batch.keys()) keys.push(KEY_PREFIX + key);
    let sentAt = 0;
    this.connection
      .waitForFirstConnection()
      .then(() => {
        sentAt = performance.now();
        return this.connection.client.mgetBuffer(keys);
      })
      .then(
        (values) => {
          let i = 0;
          for (const [key, lookup] of batch) {
            const value = values[i++];
            const entry = value ? decodeStored(value) : null;
            if (entry !== null) this.recent.set(key, entry, sentAt);
            lookup.resolve(entry);
          }
        },
        (error: unknown) => {
          for (const lookup of batch.values()) lookup.reject(error);
        },
      );
  };

  async store(key: string, entry: StoredResponse, storageTtl: number): Promise<void> {
    await this.connection.waitForFirstConnection();
    const sentAt = performance.now();
    const ttlMs = Math.max(1, Math.round(storageTtl * 1000));
    const keptUntil = Date.now() + ttlMs;
    await this.connection.client.set(KEY_PREFIX + key, encodeStored(entry, keptUntil), 'PX', ttlMs);
    // What this instance just stored replaces what it read before (a stale entry it refreshed).
    this.recent.set(key, { ...entry, keptUntil }, sentAt);
  }

  async purge(key: string): Promise<boolean> {
    await this.connection.waitForFirstConnection();
    this.recent.delete(key);
    const found = (await this.connection.client.del(KEY_PREFIX + key)) > 0;
    await sleep(RECENT_READ_MS);
    return found;
  }

  async flush(): Promise<void> {
    await this.connection.waitForFirstConnection();
    this.recent.clear();
    const { client } = this.connection;
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${KEY_PREFIX}*`, 'COUNT', SCAN_BATCH);
      if (keys.length > 0) await client.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
    // Every instance's recent reads of what was removed have expired once this answers.
    await sleep(RECENT_READ_MS);
  }
}
