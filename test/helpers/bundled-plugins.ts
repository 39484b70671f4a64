/**
 * The whole-config validator with the bundled plugins, for plugin suites that check a plugin's config
 * as users see its errors (with their `plugins[0].config.…` paths). Plugins themselves reach the core
 * only through the plugin kit; their tests reach it through helpers like this one.
 */
import { validateConfig } from '../../src/config/validate.js';
import type { ValidationResult } from '../../src/config/types.js';
import type { PluginDefinition } from '../../src/pipeline/contract.js';
import { bundledRegistry } from '../../src/pipeline/plugin-loader.js';
import { PluginRegistry } from '../../src/pipeline/registry.js';
import { bundledPlugins } from '../../plugins/index.js';

export function validateWithBundledPlugins(document: unknown): ValidationResult {
  return validateConfig(document, bundledRegistry);
}

/** The bundled plugins plus test-only ones (an auth stand-in, an arrival gate…). */
export function bundledWith(...extra: PluginDefinition[]): PluginRegistry {
  return new PluginRegistry([...bundledPlugins, ...extra]);
}
