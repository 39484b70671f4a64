/** The redis policy in exact mode: one atomic script call per request checks and counts every window cluster-wide. */
import type { RedisConnection } from '../redis-connection.js';
import type { WindowSlot, WindowUsage } from '../windows.js';
import { HIT_SCRIPT } from './redis-scripts.js';
import type { CounterStore, HitResult } from './store.js';

/** Reads the script's flat {count, oldest} pairs starting at `from`; an empty window's oldest is its current bucket. */
export function usagePairs(reply: number[], from: number, slots: readonly WindowSlot[]): WindowUsage[] {
  return slots.map((slot, i) => {
    const oldest = reply[from + 2 * i + 1]!;
    return { count: reply[from + 2 * i]!, oldestBucket: oldest === -1 ? slot.bucket : oldest };
  });
}

export class RedisStore implements CounterStore {
  constructor(private readonly connection: RedisConnection) {}

  async hit(slots: readonly WindowSlot[]): Promise<HitResult> {
    const keys = slots.map((slot) => slot.key);
    const args: number[] = [];
    for (const slot of slots) args.push(slot.bucket, slot.oldest, slot.limit, slot.ttlMs);
    const reply = (await this.connection.run(HIT_SCRIPT, keys, args)) as number[];
    return { allowed: reply[0] === 1, usage: usagePairs(reply, 1, slots) };
  }
}
