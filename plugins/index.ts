/** The plugins bundled with Gatehouse, listed in one place. */
import type { PluginDefinition } from '../src/pipeline/contract.js';
import { PluginRegistry } from '../src/pipeline/registry.js';

export const bundledPlugins: readonly PluginDefinition[] = [];

export const bundledRegistry = new PluginRegistry(bundledPlugins);
