/**
 * A plugin's config as users see it checked: parsed through the whole-config validator with the
 * bundled plugins, returning the parsed config or every issue by its path (`plugins[0].config.…`).
 */
import assert from 'node:assert/strict';
import { validateWithBundledPlugins } from './bundled-plugins.js';

/** The parsed `config` of one global plugin; fails the test when it is rejected. */
export function parsedPluginConfig(name: string, config: Record<string, unknown>): Record<string, unknown> {
  const result = validateWithBundledPlugins({ _format_version: '3.0', plugins: [{ name, config }] });
  assert.ok(result.ok, result.ok ? '' : JSON.stringify(result.issues));
  return result.config.plugins[0]!.config;
}

/** path → message of every issue of one global plugin's config; fails the test when it is accepted. */
export function pluginConfigIssues(name: string, config: Record<string, unknown>): Record<string, string> {
  const result = validateWithBundledPlugins({ _format_version: '3.0', plugins: [{ name, config }] });
  assert.equal(result.ok, false, `${name} accepted ${JSON.stringify(config)}`);
  return Object.fromEntries((result.ok ? [] : result.issues).map((issue) => [issue.path, issue.message]));
}
