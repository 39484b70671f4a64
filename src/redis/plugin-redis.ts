/**
 * Redis clients for plugins that keep state in Redis (rate-limiting's redis policy, proxy-cache's
 * redis strategy), from their `redis` block (a host, a Sentinel group, Cluster nodes) or
 * GATEHOUSE_REDIS_URL's redis://, rediss://, redis-sentinel:// or redis-cluster:// Redis: one per
 * distinct connection, shared by every instance, plugin and config version. Commands fail fast instead
 * of queueing (a dead Redis must not stall requests), each one is bounded by the configured timeout,
 * and the client reconnects on its own. In a Cluster a script call goes to the node owning its keys'
 * slot: a plugin that takes a Cluster keeps the keys of one call in one hash tag (rate-limiting's
 * slot-keys.ts), so a decision stays one call. ioredis loads with the first client (the kit brings
 * this module to every plugin; a config without Redis never loads it).
 */
import { createHash } from 'node:crypto';
import type { Cluster, ClusterOptions, Redis, RedisOptions as IoRedisOptions } from 'ioredis';
import type { PluginRedisOptions as RedisOptions } from './plugin-redis-options.js';
import { ioredis, isRedisClusterUrl, redisClusterFromUrl, redisFromUrl } from './redis-url.js';
import { SharedResources, type Lease } from './shared-resources.js';

const MAX_RECONNECT_DELAY_MS = 1_000;
const MIN_CONNECT_TIMEOUT_MS = 1_000;

/** A shared client plus the wait for its very first connection (only the first requests ever wait on it). */
export class RedisConnection {
  private everReady = false;
  private readonly firstReady: Promise<void>;
  private readonly shas = new Map<string, string>();

  constructor(
    readonly client: Redis | Cluster,
    private readonly timeoutMs: number,
  ) {
    this.firstReady = new Promise((resolve) => client.once('ready', () => resolve()));
    void this.firstReady.then(() => (this.everReady = true));
    // ioredis reports every failed reconnect as an 'error' event; the policies report failures themselves.
    client.on('error', () => {});
  }

  /** Runs a Lua script by SHA (loaded once by Redis on the first EVAL), falling back to EVAL on NOSCRIPT. */
  async run(script: string, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    if (!this.everReady) await this.waitForFirstConnection();
    let sha = this.shas.get(script);
    if (!sha) {
      sha = createHash('sha1').update(script).digest('hex');
      this.shas.set(script, sha);
    }
    try {
      return await this.client.evalsha(sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return this.client.eval(script, keys.length, ...keys, ...args);
    }
  }

  /** At start the client may still be connecting: wait for it, but never longer than one command timeout. */
  async waitForFirstConnection(): Promise<void> {
    if (this.everReady) return;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, this.timeoutMs)));
    await Promise.race([this.firstReady, timeout]);
    clearTimeout(timer);
  }

  /** A Cluster: keys of one script call must share a hash slot. */
  get isCluster(): boolean {
    return this.client instanceof ioredis().Cluster;
  }

  close(): void {
    this.client.disconnect();
  }
}

function clientOptions(options: RedisOptions): IoRedisOptions {
  return {
    commandTimeout: options.timeout,
    connectTimeout: Math.max(options.timeout, MIN_CONNECT_TIMEOUT_MS),
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: (attempt) => Math.min(attempt * 50, MAX_RECONNECT_DELAY_MS),
  };
}

/** A Cluster's own options: fail fast too, reconnect as a single node does, follow Kong's redirection limit. */
function clusterOptions(options: RedisOptions): Omit<ClusterOptions, 'redisOptions'> {
  const { enableOfflineQueue, retryStrategy } = clientOptions(options);
  return { enableOfflineQueue, clusterRetryStrategy: retryStrategy, maxRedirections: options.cluster_max_redirections };
}

/** Per-node options of a Cluster: everything but what the Cluster decides itself. */
function nodeOptions(options: RedisOptions): ClusterOptions['redisOptions'] {
  const { enableOfflineQueue: _queue, retryStrategy: _retry, ...perNode } = clientOptions(options);
  return perNode;
}

/** The plugin names its own Redis (a host, a Sentinel group, Cluster nodes) rather than using GATEHOUSE_REDIS_URL. */
function hasOwnRedis(options: RedisOptions): boolean {
  return Boolean(options.host || options.sentinel_master || options.cluster_nodes);
}

/** The client for the plugin's `redis` options, or for the gateway's GATEHOUSE_REDIS_URL when they name no Redis. */
function createClient(options: RedisOptions, fallbackUrl: string | undefined): Redis | Cluster {
  const common = clientOptions(options);
  const auth = { username: options.username ?? undefined, password: options.password ?? undefined, db: options.database };
  const tls = options.ssl ? { rejectUnauthorized: options.ssl_verify, servername: options.server_name ?? options.host } : undefined;
  if (options.cluster_nodes) {
    const nodes = options.cluster_nodes.map(({ ip, port }) => ({ host: ip, port }));
    return new (ioredis().Cluster)(nodes, { ...clusterOptions(options), redisOptions: { ...nodeOptions(options), username: auth.username, password: auth.password, tls } });
  }
  if (options.sentinel_master) {
    return new (ioredis().Redis)({
      ...common,
      ...auth,
      sentinels: options.sentinel_nodes!,
      name: options.sentinel_master,
      sentinelUsername: options.sentinel_username ?? undefined,
      sentinelPassword: options.sentinel_password ?? undefined,
    });
  }
  if (options.host) {
    return new (ioredis().Redis)({
      ...common,
      ...auth,
      host: options.host,
      port: options.port,
      tls,
    });
  }
  if (isRedisClusterUrl(fallbackUrl!)) return redisClusterFromUrl(fallbackUrl!, nodeOptions(options), clusterOptions(options));
  return redisFromUrl(fallbackUrl!, common);
}

const connections = new SharedResources<RedisConnection>((connection) => connection.close());

/** Who asks for a connection: the option that needs one (e.g. "policy redis"), and whether it can work on a Cluster. */
export interface RedisUser {
  name: string;
  cluster: boolean;
}

/**
 * A lease on the shared connection; throws when neither the `redis` options nor a supported
 * GATEHOUSE_REDIS_URL name a Redis, or when they name a Cluster for a user that cannot work on one.
 */
export function acquireConnection(options: RedisOptions, fallbackUrl: string | undefined, user: RedisUser): Lease<RedisConnection> {
  if (!hasOwnRedis(options) && !fallbackUrl) {
    const cluster = user.cluster ? ', config.redis.cluster_nodes' : '';
    throw new Error(`${user.name} needs config.redis.host, config.redis.sentinel_master${cluster} or the GATEHOUSE_REDIS_URL setting`);
  }
  if (!user.cluster && (options.cluster_nodes || (!hasOwnRedis(options) && isRedisClusterUrl(fallbackUrl!)))) {
    throw new Error(`${user.name} does not support Redis Cluster yet`);
  }
  return connections.acquire(connectionKey(options, fallbackUrl), () => new RedisConnection(createClient(options, fallbackUrl), options.timeout));
}

/** Identifies a distinct connection (options or URL); also names the sync_rate stores that use it. */
export function connectionKey(options: RedisOptions, fallbackUrl: string | undefined): string {
  return hasOwnRedis(options) ? JSON.stringify(options) : `${fallbackUrl}|${options.timeout}`;
}

export function closeAllConnections(): void {
  connections.closeAll();
}
