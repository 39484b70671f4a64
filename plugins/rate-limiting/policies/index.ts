/** The policies (where counters live), as a small strategy table like Kong's rate-limiting/policies/init.lua. */
import { acquireConnection, closeAllConnections, connectionKey, SharedResources, type InstanceContext, type Lease } from '../../../src/plugin-kit/index.js';
import type { RateLimitingConfig } from '../schema.js';
import { LocalStore } from './local.js';
import { RedisSyncStore } from './redis-sync.js';
import { RedisStore } from './redis.js';
import type { CounterStore } from './store.js';

export interface StoreLease {
  store: CounterStore;
  release(): void;
}

const localStores = new SharedResources<LocalStore>((store) => store.close());
const syncStores = new SharedResources<{ store: RedisSyncStore; connection: Lease<unknown> }>(({ store, connection }) => {
  store.close();
  connection.release();
});

export const policies: Record<RateLimitingConfig['policy'], (config: RateLimitingConfig, ctx: InstanceContext) => StoreLease> = {
  // One process-wide store: keys carry the plugin instance, and counts survive config reloads.
  local: () => {
    const lease = localStores.acquire('local', () => new LocalStore());
    return { store: lease.value, release: lease.release };
  },
  redis: (config, ctx) => {
    const url = ctx.settings.REDIS_URL;
    if (config.sync_rate) {
      const syncRate = config.sync_rate;
      const lease = syncStores.acquire(`${connectionKey(config.redis, url)}|${syncRate}`, () => {
        const connection = acquireConnection(config.redis, url, { name: 'policy redis', cluster: true });
        return { store: new RedisSyncStore(connection.value, syncRate), connection };
      });
      return { store: lease.value.store, release: lease.release };
    }
    const connection = acquireConnection(config.redis, url, { name: 'policy redis', cluster: true });
    return { store: new RedisStore(connection.value), release: connection.release };
  },
};

/** Releases every store and connection (process shutdown). */
export function closeAllStores(): void {
  syncStores.closeAll();
  localStores.closeAll();
  closeAllConnections();
}
