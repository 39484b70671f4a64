/**
 * The Lua scripts of the redis policy and how their replies read. A window's counter is a hash of
 * bucket → count; both scripts sum the buckets still counted and delete older ones in the same pass, atomically.
 */
import type { WindowSlot, WindowUsage } from '../windows.js';

/** Reads a script's flat {count, oldest} pairs starting at `from`; an empty window's oldest is its current bucket. */
export function usagePairs(reply: number[], from: number, slots: readonly WindowSlot[]): WindowUsage[] {
  return slots.map((slot, i) => {
    const oldest = reply[from + 2 * i + 1]!;
    return { count: reply[from + 2 * i]!, oldestBucket: oldest === -1 ? slot.bucket : oldest };
  });
}

/** Sums KEYS[i]'s buckets from `oldest` on (deleting older ones); returns the count and the oldest bucket left (or -1). */
const SUM_BUCKETS = `
local function sum_buckets(key, oldest)
  local fields = redis.call('HGETALL', key)
  local count, first = 0, -1
  for j = 1, #fields, 2 do
    local b = tonumber(fields[j])
    if b < oldest then
      redis.call('HDEL', key, fields[j])
    else
      count = count + tonumber(fields[j + 1])
      if first == -1 or b < first then first = b end
    end
  end
  return count, first
end
`;

/**
 * n requests for the same counters, all windows at once: admits the largest k ≤ n for which every
 * window still has room for k more, and counts those k in every window.
 * ARGV[1] is n, then 4 values per key: bucket, oldest counted bucket, limit, ttl (ms).
 * Returns {k, count_1, oldest_1, count_2, oldest_2, …}, counts including the k admitted.
 */
export const HIT_SCRIPT = `${SUM_BUCKETS}
local admitted = tonumber(ARGV[1])
local result = {0}
for i = 1, #KEYS do
  local base = 1 + (i - 1) * 4
  local count, first = sum_buckets(KEYS[i], tonumber(ARGV[base + 2]))
  local room = math.floor(tonumber(ARGV[base + 3]) - count)
  if room < admitted then admitted = room end
  result[2 * i] = count
  result[2 * i + 1] = first
end
if admitted > 0 then
  result[1] = admitted
  for i = 1, #KEYS do
    local base = 1 + (i - 1) * 4
    redis.call('HINCRBY', KEYS[i], ARGV[base + 1], admitted)
    redis.call('PEXPIRE', KEYS[i], ARGV[base + 4])
    result[2 * i] = result[2 * i] + admitted
    if result[2 * i + 1] == -1 then result[2 * i + 1] = tonumber(ARGV[base + 1]) end
  end
end
return result
`;

/**
 * A batch from one instance (sync_rate): adds each key's counted-locally deltas, then returns the
 * cluster totals. ARGV per key: oldest counted bucket, ttl (ms), n, then n pairs of bucket and delta.
 * Returns {count_1, oldest_1, count_2, oldest_2, …}.
 */
export const SYNC_SCRIPT = `${SUM_BUCKETS}
local result = {}
local a = 1
for i = 1, #KEYS do
  local oldest, ttl, n = tonumber(ARGV[a]), ARGV[a + 1], tonumber(ARGV[a + 2])
  a = a + 3
  for _ = 1, n do
    redis.call('HINCRBY', KEYS[i], ARGV[a], ARGV[a + 1])
    a = a + 2
  end
  if n > 0 then redis.call('PEXPIRE', KEYS[i], ttl) end
  local count, first = sum_buckets(KEYS[i], oldest)
  result[2 * i - 1] = count
  result[2 * i] = first
end
return result
`;
