/**
 * Opens the config store's ioredis connection from GATEHOUSE_REDIS_URL (any form src/redis/redis-url.ts
 * reads, Cluster included). Commands fail fast while disconnected (the gateway keeps serving what it
 * has) and the connection retries forever with a capped backoff.
 */
import type { Cluster, Redis, RedisOptions } from 'ioredis';
import { isRedisClusterUrl, redisClusterFromUrl, redisFromUrl } from '../redis/redis-url.js';

export type RedisClient = Redis | Cluster;

const CONNECT_TIMEOUT_MS = 2000;
const MAX_RECONNECT_DELAY_MS = 1000;

const COMMON: RedisOptions = {
  connectTimeout: CONNECT_TIMEOUT_MS,
  maxRetriesPerRequest: 1,
  enableOfflineQueue: false,
  retryStrategy: (attempt) => Math.min(attempt * 100, MAX_RECONNECT_DELAY_MS),
};

/** A new, connecting client for `url`. */
export function connectRedis(url: string): RedisClient {
  if (isRedisClusterUrl(url)) {
    const { retryStrategy, enableOfflineQueue, ...perNode } = COMMON;
    return redisClusterFromUrl(url, perNode, { enableOfflineQueue, clusterRetryStrategy: retryStrategy });
  }
  return redisFromUrl(url, COMMON);
}
