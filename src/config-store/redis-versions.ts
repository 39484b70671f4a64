/**
 * The Redis layout of config versions: immutable documents under `gatehouse:{config}:v:<n>`, the
 * latest number under `gatehouse:{config}:current`, per-version metadata in `gatehouse:{config}:history`,
 * and the number of each new version published on `gatehouse:config:events`. The `{config}` hash tag
 * keeps every key in one Redis Cluster slot so the commit script can touch them all atomically.
 */
import type { RedisClient } from './redis-connection.js';
import type { CommitResult, VersionInfo } from './config-store.js';

export const CONFIG_CHANNEL = 'gatehouse:config:events';
const PREFIX = 'gatehouse:{config}:';
const CURRENT_KEY = `${PREFIX}current`;
const HISTORY_KEY = `${PREFIX}history`;
const versionKey = (version: number) => `${PREFIX}v:${version}`;

/** Versions kept for rollback; older ones are deleted as new ones are written. */
export const HISTORY_LIMIT = 100;

/**
 * Compare-and-set: writes `version` only when `current` is still `base`, then moves the pointer and
 * publishes, all in one atomic step. Returns {1, version} or {0, current}.
 */
const COMMIT_SCRIPT = `
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if current ~= tonumber(ARGV[1]) then return {0, current} end
local version = tonumber(ARGV[6])
redis.call('SET', KEYS[2], ARGV[2])
redis.call('HSET', KEYS[3], tostring(version), ARGV[3])
if tonumber(ARGV[4]) > 0 then
  redis.call('DEL', KEYS[4])
  redis.call('HDEL', KEYS[3], ARGV[4])
end
redis.call('SET', KEYS[1], tostring(version))
redis.call('PUBLISH', ARGV[5], tostring(version))
return {1, version}
`;

export class RedisVersions {
  constructor(private readonly client: RedisClient) {}

  async latest(): Promise<number> {
    return Number((await this.client.get(CURRENT_KEY)) ?? 0);
  }

  /** The stored document of `version`, or null when there is none. */
  async read(version: number): Promise<unknown> {
    const text = await this.client.get(versionKey(version));
    return text === null ? null : (JSON.parse(text) as unknown);
  }

  /** `version` is base+1, except when an instance restores its served version into an emptied Redis. */
  async commit(document: unknown, base: number, source: string, version = base + 1): Promise<CommitResult> {
    const expired = Math.max(0, version - HISTORY_LIMIT);
    const meta: Omit<VersionInfo, 'version'> = { created_at: new Date().toISOString(), source };
    const [ok, number] = (await this.client.eval(
      COMMIT_SCRIPT,
      4,
      CURRENT_KEY,
      versionKey(version),
      HISTORY_KEY,
      versionKey(expired),
      String(base),
      JSON.stringify(document),
      JSON.stringify(meta),
      String(expired),
      CONFIG_CHANNEL,
      String(version),
    )) as [number, number];
    return ok === 1 ? { ok: true, version: number } : { ok: false, current: number };
  }

  async history(): Promise<VersionInfo[]> {
    const entries = await this.client.hgetall(HISTORY_KEY);
    return Object.entries(entries)
      .map(([version, meta]) => ({ version: Number(version), ...(JSON.parse(meta) as Omit<VersionInfo, 'version'>) }))
      .sort((a, b) => b.version - a.version);
  }
}
