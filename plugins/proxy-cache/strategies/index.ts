/**
 * The strategies (where entries live), as a small table like Kong's proxy-cache/strategies/init.lua.
 * Stores are shared — memory ones by dictionary, redis ones by connection — across instances and
 * config versions, so a reload keeps the cache; the admin API reaches every live one.
 */
import { acquireConnection, connectionKey, SharedResources, type Lease, type Settings } from '../../../src/plugin-kit/index.js';
import type { ProxyCacheConfig } from '../schema.js';
import { MemoryStrategy } from './memory.js';
import { RedisStrategy } from './redis.js';
import type { CacheStrategy } from './strategy.js';

const memoryStores = new SharedResources<MemoryStrategy>((store) => store.flush());
const redisStores = new SharedResources<{ strategy: RedisStrategy; connection: Lease<unknown> }>(({ connection }) => connection.release());

export const strategies: Record<ProxyCacheConfig['strategy'], (config: ProxyCacheConfig, settings: Settings) => Lease<CacheStrategy>> = {
  memory: (config) => {
    const { dictionary_name: name, dictionary_size: size } = config.memory;
    return memoryStores.acquire(`${name}|${size}`, () => new MemoryStrategy(size));
  },
  redis: (config, settings) => {
    const url = settings.REDIS_URL;
    const lease = redisStores.acquire(connectionKey(config.redis, url), () => {
      const connection = acquireConnection(config.redis, url, { name: 'strategy redis', cluster: false });
      return { strategy: new RedisStrategy(connection.value), connection };
    });
    return { value: lease.value.strategy, release: lease.release };
  },
};

/** Every store some instance holds right now. */
export function liveStrategies(): CacheStrategy[] {
  return [...memoryStores.values(), ...redisStores.values().map((held) => held.strategy)];
}

/** Releases every store (process shutdown). */
export function closeAllStrategies(): void {
  redisStores.closeAll();
  memoryStores.closeAll();
}
