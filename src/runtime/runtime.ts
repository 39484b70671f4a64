/**
 * Holds the config version being served and swaps it atomically: a new version is compiled in full
 * first (the plugins it uses loaded, instantiated; routes indexed) and only then replaces the old
 * one, so a bad version never serves and a request always sees exactly one version.
 */
import type { Logger } from 'pino';
import type { GatewayConfig } from '../config/types.js';
import type { HealthRegistry } from '../health/health-registry.js';
import type { PluginHandlers } from '../pipeline/contract.js';
import type { PluginRegistry } from '../pipeline/registry.js';
import type { PoolRegistry } from '../proxy/pools.js';
import type { Settings } from '../settings/schema.js';
import { ActivePlugins } from './active-plugins.js';
import { compileConfig, type CompiledConfig } from './compiled-config.js';

export interface RuntimeListener {
  (compiled: CompiledConfig): void;
}

export class GatewayRuntime {
  private compiled: CompiledConfig | null = null;
  private readonly listeners: RuntimeListener[] = [];
  /** Wall-clock time of the last successful swap. */
  loadedAt: Date | null = null;
  private readonly plugins: ActivePlugins;

  constructor(
    private readonly registry: PluginRegistry,
    private readonly pools: PoolRegistry,
    private readonly logger: Logger,
    private readonly settings: Settings,
    /** Targets' health, which outlives config versions. */
    private readonly health: HealthRegistry,
  ) {
    this.plugins = new ActivePlugins(registry, logger, settings);
  }

  get current(): CompiledConfig | null {
    return this.compiled;
  }

  get version(): number {
    return this.compiled?.version ?? 0;
  }

  onSwap(listener: RuntimeListener): void {
    this.listeners.push(listener);
  }

  /**
   * Compiles and serves `config` as `version` (by default the next one); rejects (and keeps the old
   * version) when it cannot. Loading plugins is the only wait: compiling and the swap are one step.
   */
  async apply(config: GatewayConfig, version?: number): Promise<CompiledConfig> {
    await this.plugins.prepare(config);
    return this.swap(config, version ?? this.version + 1);
  }

  private swap(config: GatewayConfig, version: number): CompiledConfig {
    const previous = this.compiled;
    const next = compileConfig(config, version, {
      registry: this.registry,
      plugins: this.plugins,
      pools: this.pools,
      logger: this.logger,
      settings: this.settings,
      health: this.health,
      previous,
    });
    this.compiled = next;
    this.health.adopt(config);
    this.loadedAt = new Date();
    if (previous) {
      for (const [id, handlers] of previous.instances) if (next.instances.get(id) !== handlers) void this.closeInstance(handlers);
      this.pools.retainOnly(next.pools, next.h2Origins);
    }
    for (const listener of this.listeners) listener(next);
    this.logger.info({ config_version: version, routes: config.routes.length, services: config.services.length }, 'config version is live');
    return next;
  }

  /** Releases every plugin instance of the served version (log queues flushed), then the plugins themselves (at shutdown). */
  async close(): Promise<void> {
    await Promise.all([...(this.compiled?.instances.values() ?? [])].map((handlers) => this.closeInstance(handlers)));
    await this.plugins.teardown();
  }

  /** A plugin instance's close; its failure is logged, never thrown into a reload or a stop. */
  private async closeInstance(handlers: PluginHandlers): Promise<void> {
    try {
      await handlers.close?.();
    } catch (error) {
      this.logger.warn({ err: error }, 'a plugin instance failed to close');
    }
  }
}
