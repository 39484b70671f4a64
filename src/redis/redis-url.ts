/**
 * What a GATEHOUSE_REDIS_URL names, read in one place for everything that connects to it (the config
 * store, and plugins through the kit): `redis://` and `rediss://` (TLS) as ioredis reads them,
 * `redis-sentinel://[user:pass@]h1:26379,h2:26379/master[/db]` and `redis-cluster://[user:pass@]h1:6379,h2:6379`.
 * ioredis itself is loaded when the first client is made, not with this module (which the plugin kit
 * brings to every plugin): a gateway whose config uses no Redis never loads it.
 */
import { createRequire } from 'node:module';
import type { Cluster, ClusterOptions, Redis, RedisOptions } from 'ioredis';

/** ioredis, loaded on first use (its module is CommonJS, so synchronously). */
export const ioredis = () => createRequire(import.meta.url)('ioredis') as typeof import('ioredis');

const DEFAULT_SENTINEL_PORT = 26379;
const DEFAULT_CLUSTER_PORT = 6379;
const DEFAULT_SENTINEL_MASTER = 'mymaster';

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

export function isRedisClusterUrl(url: string): boolean {
  return url.startsWith('redis-cluster://');
}

/** The ioredis options that reach the master named by a `redis-sentinel://` URL. */
export function sentinelOptions(url: string): RedisOptions {
  const { username, password, hosts, path } = parseMultiHost(url, DEFAULT_SENTINEL_PORT);
  const [name = DEFAULT_SENTINEL_MASTER, db = '0'] = path;
  return { sentinels: hosts, name, username, password, db: Number(db) };
}

/** The seed nodes and credentials of a `redis-cluster://` URL. */
export function clusterNodes(url: string): Pick<MultiHostUrl, 'username' | 'password' | 'hosts'> {
  const { username, password, hosts } = parseMultiHost(url, DEFAULT_CLUSTER_PORT);
  return { username, password, hosts };
}

/**
 * A new, connecting client for a `redis://`, `rediss://` or `redis-sentinel://` URL, with the caller's
 * client options (timeouts, retries). A `redis-cluster://` URL needs a Cluster client: it throws.
 */
export function redisFromUrl(url: string, options: RedisOptions): Redis {
  if (isRedisClusterUrl(url)) throw new Error('a redis-cluster:// URL needs a Redis Cluster client');
  const { Redis } = ioredis();
  if (url.startsWith('redis-sentinel://')) return new Redis({ ...options, ...sentinelOptions(url) });
  return new Redis(url, options);
}

/**
 * A new, connecting Cluster client for a `redis-cluster://` URL: its hosts are the seed nodes, its
 * credentials go to every node with the caller's per-node `options` (timeouts), and `clusterOptions`
 * set the Cluster's own behaviour (offline queue, retries, redirections).
 */
export function redisClusterFromUrl(url: string, options: ClusterOptions['redisOptions'], clusterOptions: Omit<ClusterOptions, 'redisOptions'> = {}): Cluster {
  const { username, password, hosts } = clusterNodes(url);
  return new (ioredis().Cluster)(hosts, { ...clusterOptions, redisOptions: { ...options, username, password } });
}
