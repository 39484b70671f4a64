/**
 * The declarative config's single entry point: schema, plugin configs, then normalization, with
 * every issue of a phase reported at once in document order.
 */
import type { PluginRegistry } from '../pipeline/registry.js';
import { PARSE_OPTIONS, sortByDocumentOrder, toConfigIssues } from './issues.js';
import { kongCompat } from './kong-compat.js';
import { normalizeConfig } from './normalize.js';
import { configSchema } from './schema.js';
import type { ValidationResult } from './types.js';

/**
 * Validates a declarative document (already parsed from YAML/JSON) into a GatewayConfig. Cross-entity
 * checks (references, duplicates) run once every entity is well-formed on its own. What Kong's
 * compatibility rules changed comes back as `warnings`, valid or not; `source` says whether the
 * document is a file (which may omit `_format_version`, as decK's do) or an API write.
 */
export function validateConfig(input: unknown, registry: PluginRegistry, source: 'file' | 'api' = 'api'): ValidationResult {
  const { document, warnings } = kongCompat(input, source);
  const parsed = configSchema(registry).safeParse(document, PARSE_OPTIONS);
  const result = parsed.success ? normalizeConfig(parsed.data) : { ok: false as const, issues: toConfigIssues(parsed.error) };
  return result.ok ? { ...result, warnings } : { ok: false, issues: sortByDocumentOrder(result.issues), warnings };
}
