/**
 * Opens an ioredis connection from GATEHOUSE_REDIS_URL: `redis://` and `rediss://` (TLS) as ioredis
 * reads them, `redis-sentinel://[user:pass@]h1:26379,h2:26379/master[/db]` and
 * `redis-cluster://[user:pass@]h1:6379,h2:6379`. Commands fail fast while disconnected (the gateway
 * keeps serving what it has) and the connection retries forever with a capped backoff.
 */
import { Cluster, Redis, type RedisOptions } from 'ioredis';

export type RedisClient = Redis | Cluster;

const CONNECT_TIMEOUT_MS = 2000;
const MAX_RECONNECT_DELAY_MS = 1000;

const COMMON: RedisOptions = {
  connectTimeout: CONNECT_TIMEOUT_MS,
  maxRetriesPerRequest: 1,
  enableOfflineQueue: false,
  retryStrategy: (attempt) => Math.min(attempt * 100, MAX_RECONNECT_DELAY_MS),
};

interface MultiHostUrl {
  username?: string;
  password?: string;
  hosts: { host: string; port: number }[];
  path: string[];
}

/** `scheme://[user:pass@]h1:p1,h2:p2[/a/b]`, which WHATWG URL cannot parse. */
function parseMultiHost(url: string, defaultPort: number): MultiHostUrl {
  const rest = url.slice(url.indexOf('://') + 3);
  const at = rest.lastIndexOf('@', rest.indexOf('/') === -1 ? undefined : rest.indexOf('/'));
  const auth = at === -1 ? '' : rest.slice(0, at);
  const [hostList = '', ...path] = rest.slice(at + 1).split('/');
  const [username, password] = auth.includes(':') ? auth.split(/:(.*)/s) : [undefined, auth || undefined];
  const hosts = hostList
    .split(',')
    .filter(Boolean)
    .map((entry) => {
      const colon = entry.lastIndexOf(':');
      return colon === -1 ? { host: entry, port: defaultPort } : { host: entry.slice(0, colon), port: Number(entry.slice(colon + 1)) };
    });
  if (hosts.length === 0) throw new Error(`GATEHOUSE_REDIS_URL has no host: ${url.replace(/\/\/[^@/]*@/, '//***@')}`);
  return {
    username: username ? decodeURIComponent(username) : undefined,
    password: password ? decodeURIComponent(password) : undefined,
    hosts,
    path: path.filter(Boolean),
  };
}

/** The ioredis options that reach the master named by a `redis-sentinel://` URL. */
export function sentinelOptions(url: string): RedisOptions {
  const { username, password, hosts, path } = parseMultiHost(url, 26379);
  const [name = 'mymaster', db = '0'] = path;
  return { sentinels: hosts, name, username, password, db: Number(db) };
}

/** A new, connecting client for `url`. */
export function connectRedis(url: string): RedisClient {
  if (url.startsWith('redis-sentinel://')) return new Redis({ ...COMMON, ...sentinelOptions(url) });
  if (url.startsWith('redis-cluster://')) {
    const { username, password, hosts } = parseMultiHost(url, 6379);
    return new Cluster(hosts, {
      enableOfflineQueue: false,
      clusterRetryStrategy: COMMON.retryStrategy,
      redisOptions: { ...COMMON, username, password },
    });
  }
  return new Redis(url, COMMON);
}
