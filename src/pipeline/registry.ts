/**
 * The set of plugins a gateway knows, by name, with a check that priorities are unique so the
 * execution order is never ambiguous.
 */
import type { PluginDefinition } from './contract.js';

export class PluginRegistry {
  private readonly byName: ReadonlyMap<string, PluginDefinition>;

  constructor(definitions: readonly PluginDefinition[]) {
    const byName = new Map<string, PluginDefinition>();
    const byPriority = new Map<number, string>();
    for (const definition of definitions) {
      if (byName.has(definition.name)) throw new Error(`plugin ${definition.name} is registered twice`);
      const clash = byPriority.get(definition.priority);
      if (clash) throw new Error(`plugins ${clash} and ${definition.name} share priority ${definition.priority}`);
      byName.set(definition.name, definition);
      byPriority.set(definition.priority, definition.name);
    }
    this.byName = byName;
  }

  get(name: string): PluginDefinition | undefined {
    return this.byName.get(name);
  }

  /** All plugins, highest priority (first to run) first. */
  ordered(): PluginDefinition[] {
    return [...this.byName.values()].sort((a, b) => b.priority - a.priority);
  }

  names(): string[] {
    return [...this.byName.keys()].sort();
  }
}
