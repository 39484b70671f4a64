/**
 * proxy-cache's admin API, as Kong's: `DELETE /proxy-cache` purges every entry, `GET` and `DELETE
 * /proxy-cache/{key}` read or purge one entry wherever it is, and `/proxy-cache/{plugin id}/caches/{key}`
 * do the same in one plugin's store. A purge of a redis store reaches every instance sharing it; a
 * memory store belongs to the process that answers.
 */
import type { AdminRouteAnswer, PluginAdminRoute } from '../../src/plugin-kit/index.js';
import { liveStrategies } from './strategies/index.js';
import type { CacheStrategy } from './strategies/strategy.js';
import { describeStored } from './stored-response.js';

/** Each live plugin instance's store, by plugin id, for the per-plugin routes. */
export const storesByPlugin = new Map<string, { store: CacheStrategy; owner: object }>();

const NOT_FOUND: AdminRouteAnswer = { status: 404, body: { message: 'Not found' } };

/** A store that cannot be reached answers 503 with the reason, as the config store's outages do. */
async function guarded(work: () => Promise<AdminRouteAnswer>): Promise<AdminRouteAnswer> {
  try {
    return await work();
  } catch (error) {
    return { status: 503, body: { message: `cache store unavailable: ${error instanceof Error ? error.message : String(error)}` } };
  }
}

async function readFrom(stores: readonly CacheStrategy[], key: string): Promise<AdminRouteAnswer> {
  for (const store of stores) {
    const entry = await store.fetch(key);
    if (entry !== null) return { status: 200, body: describeStored(entry) };
  }
  return NOT_FOUND;
}

async function purgeFrom(stores: readonly CacheStrategy[], key: string): Promise<AdminRouteAnswer> {
  let found = false;
  for (const store of stores) found = (await store.purge(key)) || found;
  return found ? { status: 204 } : NOT_FOUND;
}

const pluginStore = (id: string | undefined): CacheStrategy[] | null => {
  const held = id === undefined ? undefined : storesByPlugin.get(id);
  return held === undefined ? null : [held.store];
};

export const adminRoutes: readonly PluginAdminRoute[] = [
  {
    method: 'DELETE',
    path: '/proxy-cache',
    summary: 'Purge every cached entry',
    handle: () =>
      guarded(async () => {
        for (const store of liveStrategies()) await store.flush();
        return { status: 204 };
      }),
  },
  {
    method: 'GET',
    path: '/proxy-cache/:key',
    summary: 'A cached entry (status, headers, body, timestamp, ttl)',
    handle: ({ params }) => guarded(() => readFrom(liveStrategies(), params.key!)),
  },
  {
    method: 'DELETE',
    path: '/proxy-cache/:key',
    summary: 'Purge one cached entry',
    handle: ({ params }) => guarded(() => purgeFrom(liveStrategies(), params.key!)),
  },
  {
    method: 'GET',
    path: '/proxy-cache/:plugin_id/caches/:key',
    summary: "A cached entry in one plugin's store",
    handle: ({ params }) => {
      const stores = pluginStore(params.plugin_id);
      return stores === null ? NOT_FOUND : guarded(() => readFrom(stores, params.key!));
    },
  },
  {
    method: 'DELETE',
    path: '/proxy-cache/:plugin_id/caches/:key',
    summary: "Purge one cached entry from one plugin's store",
    handle: ({ params }) => {
      const stores = pluginStore(params.plugin_id);
      return stores === null ? NOT_FOUND : guarded(() => purgeFrom(stores, params.key!));
    },
  },
];
