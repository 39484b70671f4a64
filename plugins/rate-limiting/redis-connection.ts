/**
 * Redis clients for the redis policy (a host, a Sentinel group, or GATEHOUSE_REDIS_URL's redis://,
 * rediss:// or redis-sentinel:// Redis): one per distinct connection, shared by every instance and config
 * version. Commands fail fast instead of queueing (a dead Redis must not stall requests), each one is
 * bounded by the configured timeout, and the client reconnects on its own.
 */
import { createHash } from 'node:crypto';
import { Redis, type RedisOptions as IoRedisOptions } from 'ioredis';
import { sentinelOptions } from '../../src/config-store/redis-connection.js';
import type { RedisOptions } from './schema.js';
import { SharedResources, type Lease } from './shared-resources.js';

const MAX_RECONNECT_DELAY_MS = 1_000;
const MIN_CONNECT_TIMEOUT_MS = 1_000;

/** A shared client plus the wait for its very first connection (only the first requests ever wait on it). */
export class RedisConnection {
  private everReady = false;
  private readonly firstReady: Promise<void>;
  private readonly shas = new Map<string, string>();

  constructor(
    readonly client: Redis,
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
  private async waitForFirstConnection(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, this.timeoutMs)));
    await Promise.race([this.firstReady, timeout]);
    clearTimeout(timer);
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

/** The plugin names its own Redis (a host, or a Sentinel group) rather than using GATEHOUSE_REDIS_URL. */
function hasOwnRedis(options: RedisOptions): boolean {
  return Boolean(options.host || options.sentinel_master);
}

/** The client for the plugin's `redis` options, or for the gateway's GATEHOUSE_REDIS_URL when they name no Redis. */
function createClient(options: RedisOptions, fallbackUrl: string | undefined): Redis {
  const common = clientOptions(options);
  const auth = { username: options.username ?? undefined, password: options.password ?? undefined, db: options.database };
  if (options.sentinel_master) {
    return new Redis({
      ...common,
      ...auth,
      sentinels: options.sentinel_nodes!,
      name: options.sentinel_master,
      sentinelUsername: options.sentinel_username ?? undefined,
      sentinelPassword: options.sentinel_password ?? undefined,
    });
  }
  if (options.host) {
    return new Redis({
      ...common,
      ...auth,
      host: options.host,
      port: options.port,
      tls: options.ssl ? { rejectUnauthorized: options.ssl_verify, servername: options.server_name ?? options.host } : undefined,
    });
  }
  if (fallbackUrl!.startsWith('redis-sentinel://')) return new Redis({ ...common, ...sentinelOptions(fallbackUrl!) });
  return new Redis(fallbackUrl!, common);
}

const connections = new SharedResources<RedisConnection>((connection) => connection.close());

/** A lease on the shared connection; throws when neither the `redis` options nor a supported GATEHOUSE_REDIS_URL name a Redis. */
export function acquireConnection(options: RedisOptions, fallbackUrl: string | undefined): Lease<RedisConnection> {
  if (!hasOwnRedis(options)) {
    if (!fallbackUrl) throw new Error('policy redis needs config.redis.host, config.redis.sentinel_master or the GATEHOUSE_REDIS_URL setting');
    if (fallbackUrl.startsWith('redis-cluster://')) throw new Error('policy redis does not support Redis Cluster yet (GATEHOUSE_REDIS_URL is redis-cluster://)');
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
