/**
 * Keep-alive connection pools to upstream targets, one per origin and connect options. Pools outlive
 * config versions (a reload keeps warm connections); pools no version uses any more are closed.
 */
import { Pool } from 'undici';

/** How long an idle upstream connection is kept (below typical server keep-alive timeouts). */
const KEEP_ALIVE_TIMEOUT_MS = 4_000;

export interface PoolOptions {
  origin: string;
  connectTimeout: number;
  tlsVerify: boolean;
}

export class PoolRegistry {
  private readonly pools = new Map<string, Pool>();

  get(options: PoolOptions): Pool {
    const key = `${options.origin}|${options.connectTimeout}|${options.tlsVerify}`;
    let pool = this.pools.get(key);
    if (!pool) {
      pool = new Pool(options.origin, {
        pipelining: 1,
        keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
        connect: { timeout: options.connectTimeout, rejectUnauthorized: options.tlsVerify },
      });
      this.pools.set(key, pool);
    }
    return pool;
  }

  /** Closes the pools not in `inUse`, letting their in-flight requests finish. */
  retainOnly(inUse: ReadonlySet<Pool>): void {
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
    await Promise.all(pools.map((pool) => pool.close().catch(() => undefined)));
  }
}
