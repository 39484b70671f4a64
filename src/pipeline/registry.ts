/**
 * The set of plugins a gateway knows, by name, with a check that names and priorities are unique so
 * a config's plugin names and the execution order are never ambiguous. A plugin may be listed
 * loaded (a definition) or lazily (name, priority, schema and a loader): validation and ordering
 * need only the first three, and a plugin's module, with the libraries it brings, is imported the
 * first time a config uses it, so a gateway pays in memory and start time only for what it runs.
 */
import type { z } from 'zod';
import type { LazyPlugin, PluginAdminRoute, PluginDefinition } from './contract.js';

export type PluginSource = PluginDefinition | LazyPlugin;

/** What the registry knows of a plugin without loading it, and the one way to load it. */
export interface PluginEntry {
  readonly name: string;
  readonly priority: number;
  readonly configSchema: z.ZodType;
  readonly adminRoutes: readonly PluginAdminRoute[];
  /** The plugin's definition; its module is imported on the first call only. */
  load(): Promise<PluginDefinition>;
}

function entryOf(source: PluginSource): PluginEntry {
  const adminRoutes = source.adminRoutes ?? [];
  if (!('load' in source)) return { name: source.name, priority: source.priority, configSchema: source.configSchema, adminRoutes, load: async () => source };
  let loading: Promise<PluginDefinition> | null = null;
  const load = async () => {
    const definition = await source.load();
    if (definition.name !== source.name || definition.priority !== source.priority || definition.configSchema !== source.configSchema || definition.adminRoutes !== source.adminRoutes) {
      throw new Error(`its module declares ${definition.name} with priority ${definition.priority} and another schema or other admin routes than its listing`);
    }
    return definition;
  };
  return {
    name: source.name,
    priority: source.priority,
    configSchema: source.configSchema,
    adminRoutes,
    // A load that failed is forgotten, so the next config version tries again.
    load: () => (loading ??= load().catch((error: unknown) => ((loading = null), Promise.reject(error)))),
  };
}

export class PluginRegistry {
  private readonly byName: ReadonlyMap<string, PluginEntry>;

  /** `label` names a plugin in a clash message (e.g. with the module it came from). */
  constructor(sources: readonly PluginSource[], label: (source: PluginSource) => string = (source) => source.name) {
    const byName = new Map<string, PluginEntry>();
    const byPriority = new Map<number, PluginSource>();
    const sourceOf = new Map<string, PluginSource>();
    for (const source of sources) {
      const sameName = sourceOf.get(source.name);
      if (sameName) throw new Error(`plugins ${label(sameName)} and ${label(source)} are both named ${source.name}`);
      const samePriority = byPriority.get(source.priority);
      if (samePriority) throw new Error(`plugins ${label(samePriority)} and ${label(source)} share priority ${source.priority}`);
      byName.set(source.name, entryOf(source));
      sourceOf.set(source.name, source);
      byPriority.set(source.priority, source);
    }
    this.byName = byName;
  }

  get(name: string): PluginEntry | undefined {
    return this.byName.get(name);
  }

  /** All plugins, highest priority (first to run) first. */
  ordered(): PluginEntry[] {
    return [...this.byName.values()].sort((a, b) => b.priority - a.priority);
  }

  names(): string[] {
    return [...this.byName.keys()].sort();
  }
}
