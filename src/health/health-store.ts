/**
 * The Redis layout of shared target health. `gatehouse:{health}:state` is a hash holding only what is
 * not the default — a target's active "down" verdict (`a|upstream|target`) and its open circuit
 * (`c|upstream|target`) — so it stays as small as the set of unhealthy targets; a field that is absent
 * means healthy and closed. Every change takes the next number of `gatehouse:{health}:seq` and is
 * published on `gatehouse:health:events` in the same script, so instances can order what they hear
 * and what they read. Probe leases are `gatehouse:{health}:lease:<upstream>`. The `{health}` hash tag
 * keeps every key in one Redis Cluster slot.
 */
import type { RedisClient } from '../config-store/redis-connection.js';

export const HEALTH_CHANNEL = 'gatehouse:health:events';
const PREFIX = 'gatehouse:{health}:';
const STATE_KEY = `${PREFIX}state`;
const SEQ_KEY = `${PREFIX}seq`;
const leaseKey = (upstream: string) => `${PREFIX}lease:${upstream}`;

export type Component = 'a' | 'c';

/** What is stored for a non-default component; `until` (Redis clock, ms) only for an open circuit. */
export interface HealthRecord {
  cause: string;
  /** The instance that made the change. */
  by: string;
  until?: number;
  seq: number;
}

/** One change: set a record (`record` non-null, `forMs` for an open circuit's remaining time) or delete. */
export interface HealthOp {
  field: string;
  record: { cause: string; by: string; for_ms?: number } | null;
}

/** A change as published: `value` is the stored record's JSON, or '' for a deletion. */
export interface HealthMessage {
  seq: number;
  /** Redis's clock (ms) when the change was made, to turn `until` into a local time. */
  now: number;
  ops: { field: string; value: string }[];
}

export interface HealthSnapshot {
  seq: number;
  now: number;
  records: Map<string, HealthRecord>;
}

export function fieldOf(component: Component, upstream: string, address: string): string {
  return `${component}|${upstream}|${address}`;
}

/** `a|orders.internal|10.0.0.5:8080` → its parts (upstream names cannot hold "|"). */
export function parseField(field: string): { component: Component; upstream: string; address: string } | null {
  const first = field.indexOf('|');
  const second = field.indexOf('|', first + 1);
  const component = field.slice(0, first);
  if (second === -1 || (component !== 'a' && component !== 'c')) return null;
  return { component, upstream: field.slice(first + 1, second), address: field.slice(second + 1) };
}

/**
 * ARGV: channel, then field/record pairs (record '' deletes). A record's `for_ms` becomes `until` on
 * Redis's clock, so instances whose clocks disagree still agree on when a circuit half-opens.
 */
const WRITE_SCRIPT = `
local seq = redis.call('INCR', KEYS[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ops = {}
for i = 2, #ARGV, 2 do
  local value = ''
  if ARGV[i + 1] == '' then
    redis.call('HDEL', KEYS[1], ARGV[i])
  else
    local record = cjson.decode(ARGV[i + 1])
    record.seq = seq
    if record.for_ms then
      record['until'] = now + record.for_ms
      record.for_ms = nil
    end
    value = cjson.encode(record)
    redis.call('HSET', KEYS[1], ARGV[i], value)
  end
  ops[#ops + 1] = { field = ARGV[i], value = value }
end
redis.call('PUBLISH', ARGV[1], cjson.encode({ seq = seq, now = now, ops = ops }))
return seq
`;

const SNAPSHOT_SCRIPT = `
local t = redis.call('TIME')
return { redis.call('GET', KEYS[2]) or '0', tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000), redis.call('HGETALL', KEYS[1]) }
`;

/** ARGV: owner, ttl ms. Renews the leases the owner holds, takes the free ones; returns the indexes held (1-based). */
const CLAIM_SCRIPT = `
local held = {}
for i, key in ipairs(KEYS) do
  local owner = redis.call('GET', key)
  if owner == ARGV[1] then
    redis.call('PEXPIRE', key, ARGV[2])
    held[#held + 1] = i
  elseif not owner then
    redis.call('SET', key, ARGV[1], 'PX', ARGV[2])
    held[#held + 1] = i
  end
end
return held
`;

const RELEASE_SCRIPT = `
for _, key in ipairs(KEYS) do
  if redis.call('GET', key) == ARGV[1] then redis.call('DEL', key) end
end
return 0
`;

export class HealthStore {
  constructor(private readonly client: RedisClient) {}

  /** Applies the changes atomically and publishes them; returns their sequence number. */
  async write(ops: readonly HealthOp[]): Promise<number> {
    const args = ops.flatMap((op) => [op.field, op.record === null ? '' : JSON.stringify(op.record)]);
    return Number(await this.client.eval(WRITE_SCRIPT, 2, STATE_KEY, SEQ_KEY, HEALTH_CHANNEL, ...args));
  }

  async snapshot(): Promise<HealthSnapshot> {
    const [seq, now, flat] = (await this.client.eval(SNAPSHOT_SCRIPT, 2, STATE_KEY, SEQ_KEY)) as [string, number, string[]];
    const records = new Map<string, HealthRecord>();
    for (let i = 0; i + 1 < flat.length; i += 2) records.set(flat[i]!, JSON.parse(flat[i + 1]!) as HealthRecord);
    return { seq: Number(seq), now: Number(now), records };
  }

  /** The upstreams (of `upstreams`) whose probe lease `owner` holds after this call. */
  async claimLeases(upstreams: readonly string[], owner: string, ttlMs: number): Promise<Set<string>> {
    if (upstreams.length === 0) return new Set();
    const held = (await this.client.eval(CLAIM_SCRIPT, upstreams.length, ...upstreams.map(leaseKey), owner, ttlMs)) as number[];
    return new Set(held.map((index) => upstreams[index - 1]!));
  }

  async releaseLeases(upstreams: readonly string[], owner: string): Promise<void> {
    if (upstreams.length > 0) await this.client.eval(RELEASE_SCRIPT, upstreams.length, ...upstreams.map(leaseKey), owner);
  }
}

/** A published message, or null when it is not one of ours. */
export function parseMessage(text: string): HealthMessage | null {
  try {
    const message = JSON.parse(text) as HealthMessage;
    // cjson encodes an empty Lua table as {} rather than [].
    if (typeof message.seq !== 'number' || typeof message.now !== 'number') return null;
    if (!Array.isArray(message.ops)) message.ops = [];
    return message;
  } catch {
    return null;
  }
}
