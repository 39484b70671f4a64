/**
 * Keep-alive connection pools to upstream targets, one per origin and connect options (and the HTTP/2
 * sessions of services that speak it, in `h2`). Pools outlive config versions (a reload keeps warm
 * connections); pools no version uses any more are closed.
 */
import { createRequire } from 'node:module';
import type { Pool as UndiciPool } from 'undici';

/**
 * undici's Pool alone: its package entry also loads fetch, WebSocket, EventSource, the cache and the
 * mocks, about 7 MiB of RSS and 20 ms of start the proxy never uses (src/proxy/pools.test.ts holds
 * it to the package's own Pool, so an undici upgrade that moves the file fails there, not in use).
 * The bundle requires the same file bundled into one, dist/bundle/undici-pool.cjs (scripts/bundle.mjs).
 */
const Pool = createRequire(import.meta.url)('undici/lib/dispatcher/pool.js') as typeof UndiciPool;
type Pool = UndiciPool;
import type { UpstreamTls } from '../tls/upstream-tls.js';
import { H2SessionRegistry, type H2Origin } from './h2-sessions.js';

/** How long an idle upstream connection is kept (below typical server keep-alive timeouts). */
const KEEP_ALIVE_TIMEOUT_MS = 4_000;

export interface PoolOptions {
  origin: string;
  connectTimeout: number;
  /** For an https origin: verification, trusted CAs, client certificate. */
  tls: UpstreamTls | null;
}

export class PoolRegistry {
  private readonly pools = new Map<string, Pool>();
  readonly h2 = new H2SessionRegistry();

  get(options: PoolOptions): Pool {
    const key = `${options.origin}|${options.connectTimeout}|${options.tls?.key ?? ''}`;
    let pool = this.pools.get(key);
    if (!pool) {
      pool = new Pool(options.origin, {
        pipelining: 1,
        keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
        connect: { ...options.tls?.connect, timeout: options.connectTimeout },
      });
      this.pools.set(key, pool);
    }
    return pool;
  }

  /** Closes the pools (and HTTP/2 sessions) not in use, letting their in-flight requests finish. */
  retainOnly(inUse: ReadonlySet<Pool>, h2InUse: ReadonlySet<H2Origin>): void {
    this.h2.retainOnly(h2InUse);
    for (const [key, pool] of this.pools) {
      if (!inUse.has(pool)) {
        this.pools.delete(key);
        void pool.close().catch(() => undefined);
      }
    }
  }

  async closeAll(): Promise<void> {
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all([...pools.map((pool) => pool.close().catch(() => undefined)), this.h2.closeAll()]);
  }
}
