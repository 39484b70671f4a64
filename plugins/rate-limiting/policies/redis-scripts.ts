/**
 * The Lua scripts of the redis policy. A window's counter is a hash of bucket → count; both scripts
 * sum the buckets still counted and delete older ones in the same pass, atomically.
 */

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
 * One request, all windows: admitted only if every window has room, and then counted in all of them.
 * ARGV holds 4 values per key: bucket, oldest counted bucket, limit, ttl (ms).
 * Returns {allowed, count_1, oldest_1, count_2, oldest_2, …}, counts including the request when admitted.
 */
export const HIT_SCRIPT = `${SUM_BUCKETS}
local result = {1}
for i = 1, #KEYS do
  local base = (i - 1) * 4
  local count, first = sum_buckets(KEYS[i], tonumber(ARGV[base + 2]))
  if count + 1 > tonumber(ARGV[base + 3]) then result[1] = 0 end
  result[2 * i] = count
  result[2 * i + 1] = first
end
if result[1] == 1 then
  for i = 1, #KEYS do
    local base = (i - 1) * 4
    redis.call('HINCRBY', KEYS[i], ARGV[base + 1], 1)
    redis.call('PEXPIRE', KEYS[i], ARGV[base + 4])
    result[2 * i] = result[2 * i] + 1
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
