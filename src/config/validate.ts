/**
 * The declarative config's single entry point: schema, plugin configs, then normalisation, with
 * every issue of a phase reported at once in document order.
 */
import type { PluginRegistry } from '../pipeline/registry.js';
import { PARSE_OPTIONS, sortByDocumentOrder, toConfigIssues } from './issues.js';
import { normalizeConfig } from './normalize.js';
import { configSchema } from './schema.js';
import type { ValidationResult } from './types.js';

/**
 * Validates a declarative document (already parsed from YAML/JSON) into a GatewayConfig. Cross-entity
 * checks (references, duplicates) run once every entity is well-formed on its own.
 */
export function validateConfig(input: unknown, registry: PluginRegistry): ValidationResult {
  const parsed = configSchema(registry).safeParse(input, PARSE_OPTIONS);
  const result = parsed.success ? normalizeConfig(parsed.data) : { ok: false as const, issues: toConfigIssues(parsed.error) };
  return result.ok ? result : { ok: false, issues: sortByDocumentOrder(result.issues) };
}
