/**
 * The plugins this gateway's configs have used: each loaded (its module imported, see registry.ts)
 * and initialised the first time a config version uses it, before that version is compiled, and
 * torn down at stop. A plugin no config uses costs nothing: the idle sidecar on the bundled config
 * never imports jose, ioredis or the log sinks.
 */
import type { Logger } from 'pino';
import type { GatewayConfig } from '../config/types.js';
import type { PluginDefinition } from '../pipeline/contract.js';
import type { PluginRegistry } from '../pipeline/registry.js';
import type { Settings } from '../settings/schema.js';

export class ActivePlugins {
  private readonly ready = new Map<string, PluginDefinition>();
  private readonly starting = new Map<string, Promise<void>>();

  constructor(
    private readonly registry: PluginRegistry,
    private readonly logger: Logger,
    private readonly settings: Settings,
  ) {}

  /** Loads and initialises every enabled plugin `config` uses that is not yet; throws naming the one that cannot be. */
  async prepare(config: GatewayConfig): Promise<void> {
    const names = new Set(config.plugins.filter((entity) => entity.enabled).map((entity) => entity.name));
    await Promise.all([...names].filter((name) => !this.ready.has(name)).map((name) => this.activate(name)));
  }

  /** A plugin prepare() made ready. */
  get(name: string): PluginDefinition | undefined {
    return this.ready.get(name);
  }

  /** Each initialised plugin's teardown, in priority order (at shutdown). */
  async teardown(): Promise<void> {
    const active = [...this.ready.values()].sort((a, b) => b.priority - a.priority);
    this.ready.clear();
    for (const plugin of active) await plugin.teardown?.();
  }

  /** Shared by concurrent prepares; forgotten when it fails, so a later version may try again. */
  private activate(name: string): Promise<void> {
    let starting = this.starting.get(name);
    if (!starting) {
      starting = this.load(name).finally(() => this.starting.delete(name));
      this.starting.set(name, starting);
    }
    return starting;
  }

  private async load(name: string): Promise<void> {
    const entry = this.registry.get(name);
    if (!entry) throw new Error(`plugin ${name} is not installed`);
    let definition: PluginDefinition;
    try {
      definition = await entry.load();
    } catch (error) {
      throw new Error(`plugin ${name} cannot be loaded: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    await definition.init?.({ logger: this.logger.child({ plugin: name }), settings: this.settings });
    this.ready.set(name, definition);
  }
}
