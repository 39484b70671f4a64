/**
 * The plugins a gateway knows, from GATEHOUSE_PLUGINS: the bundled ones (listed, their modules imported
 * when a config first uses them) and users' own plugin modules, imported and checked once at start (as
 * Kong reads its `plugins` setting), so that a bad path, a module that is not a plugin, or a name or
 * priority already taken stops the start with one line saying which.
 */
import { access } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BUNDLED_PLUGINS, settingsSchema } from '../settings/schema.js';
import type { PluginDefinition } from './contract.js';
import { PluginRegistry, type PluginSource } from './registry.js';
import { bundledPlugins } from '../../plugins/index.js';

const SETTING = 'GATEHOUSE_PLUGINS';
/** Kong's plugin names: they are config keys, metric labels and admin API path segments. */
const PLUGIN_NAME = /^[a-z][a-z0-9-]*$/;

export const bundledRegistry = new PluginRegistry(bundledPlugins);

/** GATEHOUSE_PLUGINS names something that cannot be used; the message is the line to print. */
export class PluginLoadError extends Error {}

/** Why `value` is not a definePlugin(...) result, or undefined when it is one. */
function notAPlugin(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return 'its default export must be definePlugin({...}) from gatehouse/plugin-kit';
  const plugin = value as Partial<Record<keyof PluginDefinition, unknown>>;
  if (typeof plugin.name !== 'string' || !PLUGIN_NAME.test(plugin.name)) return 'name must be lower-case letters, digits and "-", starting with a letter';
  if (typeof plugin.priority !== 'number' || !Number.isInteger(plugin.priority)) return `${plugin.name}: priority must be an integer`;
  if (typeof plugin.version !== 'string') return `${plugin.name}: version must be a string`;
  // The admin API renders the schema with zod 4's toJSONSchema, which reads zod 4's internals.
  if (typeof plugin.configSchema !== 'object' || plugin.configSchema === null || !('_zod' in plugin.configSchema)) {
    return `${plugin.name}: configSchema must be a zod 4 schema (the kit's z)`;
  }
  if (typeof plugin.instantiate !== 'function') return `${plugin.name}: instantiate must be a function`;
  for (const hook of ['init', 'teardown'] as const) {
    if (plugin[hook] !== undefined && typeof plugin[hook] !== 'function') return `${plugin.name}: ${hook} must be a function`;
  }
  return undefined;
}

async function importPlugin(path: string): Promise<PluginDefinition> {
  // Relative to the working directory, as GATEHOUSE_CONFIG is.
  const file = resolve(path);
  // Checked first: import()'s own error for a missing file names the loader as the importer.
  if (!(await access(file).then(() => true, () => false))) throw new PluginLoadError(`${SETTING}: cannot load ${path}: no such file (${file})`);
  let module: { default?: unknown };
  try {
    module = (await import(pathToFileURL(file).href)) as { default?: unknown };
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new PluginLoadError(`${SETTING}: cannot load ${path}: ${reason}`);
  }
  const problem = notAPlugin(module.default);
  if (problem !== undefined) throw new PluginLoadError(`${SETTING}: ${path} is not a plugin: ${problem}`);
  return module.default as PluginDefinition;
}

/** The registry for GATEHOUSE_PLUGINS's entries (`bundled` and module paths, in that setting's order). */
export async function loadPluginRegistry(entries: readonly string[]): Promise<PluginRegistry> {
  if (entries.length === 1 && entries[0] === BUNDLED_PLUGINS) return bundledRegistry;
  const origins = new Map<PluginSource, string>();
  for (const entry of entries) {
    if (entry === BUNDLED_PLUGINS) for (const plugin of bundledPlugins) origins.set(plugin, BUNDLED_PLUGINS);
    else origins.set(await importPlugin(entry), entry);
  }
  try {
    return new PluginRegistry([...origins.keys()], (plugin) => `${plugin.name} (${origins.get(plugin)})`);
  } catch (error) {
    throw new PluginLoadError(`${SETTING}: ${(error as Error).message}`);
  }
}

/** The registry GATEHOUSE_PLUGINS names in `env`, for commands that read no other setting (`validate`). */
export async function loadPluginRegistryFrom(env: NodeJS.ProcessEnv): Promise<PluginRegistry> {
  const parsed = settingsSchema().shape.PLUGINS.safeParse(env[SETTING] || undefined);
  if (!parsed.success) throw new PluginLoadError(`${SETTING}: ${parsed.error.issues.map((issue) => issue.message).join('; ')}`);
  return loadPluginRegistry(parsed.data);
}
