/**
 * Kong files as they are in the wild, taken before the schema sees them: decK files that omit
 * `_format_version` (read as "3.0", as decK does; files only — an admin write without it, such as an
 * empty `POST /config`, stays refused rather than replacing the config with nothing), Kong's
 * consumer groups (accepted and set aside:
 * Gatehouse has no such entity), and the shorthands Kong 3.x still accepts as deprecated fields
 * (rate-limiting's flat `redis_*`, http-log's `retry_count`/`queue_size`/`flush_timeout`), moved
 * onto the current fields. Each change is a warning with the path it was made at; the input is
 * never modified (a changed document is a copy).
 */
import type { ConfigIssue } from './types.js';

export interface CompatResult {
  document: unknown;
  warnings: ConfigIssue[];
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Kong 3.x rate-limiting's deprecated flat fields → its `redis` block (Kong's own shorthand_fields). */
const RATE_LIMITING_REDIS_SHORTHANDS: Record<string, string> = {
  redis_host: 'host',
  redis_port: 'port',
  redis_username: 'username',
  redis_password: 'password',
  redis_database: 'database',
  redis_timeout: 'timeout',
  redis_ssl: 'ssl',
  redis_ssl_verify: 'ssl_verify',
  redis_server_name: 'server_name',
};

/** Kong 3.x http-log's deprecated queue fields → its `queue` block; null means Kong ignores it. */
const HTTP_LOG_QUEUE_SHORTHANDS: Record<string, string | null> = {
  queue_size: 'max_batch_size',
  flush_timeout: 'max_coalescing_delay',
  retry_count: null,
};

/** Every plugin list of a document with its path: top level, and under services, routes, consumers. */
function* pluginLists(document: Json): Generator<[unknown[], string]> {
  const lists = (value: unknown, path: string): [unknown[], string][] => (Array.isArray(value) ? [[value, path]] : []);
  yield* lists(document.plugins, 'plugins');
  for (const [kind, nested] of [['services', 'routes'], ['routes', null], ['consumers', null]] as const) {
    const entities = document[kind];
    if (!Array.isArray(entities)) continue;
    for (const [i, entity] of entities.entries()) {
      if (!isObject(entity)) continue;
      yield* lists(entity.plugins, `${kind}[${i}].plugins`);
      if (nested && Array.isArray(entity[nested])) {
        for (const [j, route] of (entity[nested] as unknown[]).entries()) if (isObject(route)) yield* lists(route.plugins, `${kind}[${i}].${nested}[${j}].plugins`);
      }
    }
  }
}

/** Moves the `shorthands` found in `config` into `config[block]` (when `apply`), with a warning for each. */
function moveShorthands(config: Json, block: string, shorthands: Record<string, string | null>, path: string, rules: Rules, plugin: string): void {
  for (const [old, current] of Object.entries(shorthands)) {
    if (!(old in config)) continue;
    const value = config[old];
    if (rules.apply) delete config[old];
    const existing = isObject(config[block]) ? (config[block] as Json) : undefined;
    if (current === null) {
      rules.warn(`${path}.${old}`, `deprecated ${plugin} field; Kong 3.x ignores it too (use ${block}.max_retry_time): removed`);
    } else if (value === null || value === undefined) {
      rules.warn(`${path}.${old}`, `deprecated ${plugin} field, empty: removed`);
    } else if (existing && current in existing) {
      rules.warn(`${path}.${old}`, `deprecated ${plugin} field; ${block}.${current} is set too and wins`);
    } else {
      if (rules.apply) (existing ?? (config[block] = {} as Json) as Json)[current] = value;
      rules.warn(`${path}.${old}`, `deprecated ${plugin} field: read as ${block}.${current}`);
    }
  }
}

/** One run of the rules: `apply` false only finds what would change (the input is not touched). */
interface Rules {
  apply: boolean;
  file: boolean;
  warn(path: string, message: string): void;
}

function runRules(document: Json, rules: Rules): void {
  if (rules.file && document._format_version === undefined) {
    if (rules.apply) document._format_version = '3.0';
    rules.warn('_format_version', 'missing; read as "3.0", as decK does');
  }
  if ('consumer_groups' in document) {
    if (rules.apply) delete document.consumer_groups;
    rules.warn('consumer_groups', 'Kong consumer groups are not supported; ignored (use acl groups and per-consumer rate-limiting)');
  }
  if (Array.isArray(document.consumers)) {
    for (const [i, consumer] of document.consumers.entries()) {
      if (!isObject(consumer) || !('groups' in consumer)) continue;
      if (rules.apply) delete consumer.groups;
      rules.warn(`consumers[${i}].groups`, 'consumer group membership is not supported; ignored');
    }
  }
  for (const [list, path] of pluginLists(document)) {
    // Backwards, so removing a plugin scoped to a consumer group keeps the earlier indices.
    for (let k = list.length - 1; k >= 0; k--) {
      const plugin = list[k];
      if (!isObject(plugin)) continue;
      const at = `${path}[${k}]`;
      if ('consumer_group' in plugin) {
        if (rules.apply) list.splice(k, 1);
        rules.warn(at, `${String(plugin.name)} scoped to a consumer group: consumer groups are not supported, so the plugin is left out rather than applied more widely`);
        continue;
      }
      if (!isObject(plugin.config)) continue;
      if (plugin.name === 'rate-limiting') moveShorthands(plugin.config, 'redis', RATE_LIMITING_REDIS_SHORTHANDS, `${at}.config`, rules, 'rate-limiting');
      if (plugin.name === 'http-log') moveShorthands(plugin.config, 'queue', HTTP_LOG_QUEUE_SHORTHANDS, `${at}.config`, rules, 'http-log');
    }
  }
}

/**
 * Applies Kong's compatibility rules. A document that needs none (every file Gatehouse writes, every
 * admin write) is returned as it is, without a copy: config loads of 10,000 routes pay one walk.
 */
export function kongCompat(input: unknown, source: 'file' | 'api'): CompatResult {
  if (!isObject(input)) return { document: input, warnings: [] };
  const file = source === 'file';
  let changes = 0;
  runRules(input, { apply: false, file, warn: () => changes++ });
  if (changes === 0) return { document: input, warnings: [] };
  const warnings: ConfigIssue[] = [];
  const document = structuredClone(input);
  runRules(document, { apply: true, file, warn: (path, message) => warnings.push({ path, message }) });
  return { document, warnings };
}
