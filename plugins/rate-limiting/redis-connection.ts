/**
 * Redis clients for the redis policy: one per distinct connection, shared by every instance and config
 * version. Commands fail fast instead of queueing (a dead Redis must not stall requests), each one is
 * bounded by the configured timeout, and the client reconnects on its own.
 */
import { createHash } from 'node:crypto';
import { Redis, type RedisOptions as IoRedisOptions } from 'ioredis';
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

/** The client for the plugin's `redis` options, or for the gateway's GATEHOUSE_REDIS_URL when no host is set. */
function createClient(options: RedisOptions, fallbackUrl: string | undefined): Redis {
  const common = clientOptions(options);
  if (options.host) {
    return new Redis({
      ...common,
      host: options.host,
      port: options.port,
      username: options.username ?? undefined,
      password: options.password ?? undefined,
      db: options.database,
      tls: options.ssl ? { rejectUnauthorized: options.ssl_verify, servername: options.server_name ?? options.host } : undefined,
    });
  }
  return new Redis(fallbackUrl!, common);
}

const connections = new SharedResources<RedisConnection>((connection) => connection.close());

/** A lease on the shared connection; throws when neither `redis.host` nor a supported GATEHOUSE_REDIS_URL is set. */
export function acquireConnection(options: RedisOptions, fallbackUrl: string | undefined): Lease<RedisConnection> {
  if (!options.host) {
    if (!fallbackUrl) throw new Error('policy redis needs config.redis.host or the GATEHOUSE_REDIS_URL setting');
    if (!/^rediss?:\/\//.test(fallbackUrl)) throw new Error('policy redis supports redis:// and rediss:// GATEHOUSE_REDIS_URL values only (no Sentinel or Cluster yet)');
  }
  return connections.acquire(connectionKey(options, fallbackUrl), () => new RedisConnection(createClient(options, fallbackUrl), options.timeout));
}

/** Identifies a distinct connection (options or URL); also names the sync_rate stores that use it. */
export function connectionKey(options: RedisOptions, fallbackUrl: string | undefined): string {
  return options.host ? JSON.stringify(options) : `${fallbackUrl}|${options.timeout}`;
}

export function closeAllConnections(): void {
  connections.closeAll();
}
