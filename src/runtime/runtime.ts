/**
 * Holds the config version being served and swaps it atomically: a new version is compiled in full
 * first (plugins instantiated, routes indexed) and only then replaces the old one, so a bad version
 * never serves and a request always sees exactly one version.
 */
import type { Logger } from 'pino';
import type { GatewayConfig } from '../config/types.js';
import type { PluginRegistry } from '../pipeline/registry.js';
import type { PoolRegistry } from '../proxy/pools.js';
import type { Settings } from '../settings/schema.js';
import { compileConfig, type CompiledConfig } from './compiled-config.js';

export interface RuntimeListener {
  (compiled: CompiledConfig): void;
}

export class GatewayRuntime {
  private compiled: CompiledConfig | null = null;
  private readonly listeners: RuntimeListener[] = [];
  /** Wall-clock time of the last successful swap. */
  loadedAt: Date | null = null;

  constructor(
    private readonly registry: PluginRegistry,
    private readonly pools: PoolRegistry,
    private readonly logger: Logger,
    private readonly settings: Settings,
  ) {}

  get current(): CompiledConfig | null {
    return this.compiled;
  }

  get version(): number {
    return this.compiled?.version ?? 0;
  }

  onSwap(listener: RuntimeListener): void {
    this.listeners.push(listener);
  }

  /** Compiles and serves `config` as `version`; throws (and keeps the old version) when it cannot. */
  apply(config: GatewayConfig, version = this.version + 1): CompiledConfig {
    const previous = this.compiled;
    const next = compileConfig(config, version, {
      registry: this.registry,
      pools: this.pools,
      logger: this.logger,
      settings: this.settings,
      previous,
    });
    this.compiled = next;
    this.loadedAt = new Date();
    if (previous) {
      for (const [id, handlers] of previous.instances) if (next.instances.get(id) !== handlers) handlers.close?.();
      this.pools.retainOnly(next.pools);
    }
    for (const listener of this.listeners) listener(next);
    this.logger.info({ config_version: version, routes: config.routes.length, services: config.services.length }, 'config version is live');
    return next;
  }

  /** Releases every plugin instance of the served version (at shutdown). */
  close(): void {
    for (const handlers of this.compiled?.instances.values() ?? []) handlers.close?.();
  }
}
